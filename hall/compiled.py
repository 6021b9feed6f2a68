"""The twin's hot modules compiled ahead of time with mypyc, used only while they match their sources.

The twin's inner loop (``simulation.model``) and the routing policy it calls for every simulated visitor
(``queueing.domain.routing``) are plain, typed Python; nothing about them is written for the compiler. ``python -m
hall.compiled build`` (run by ``make install``) compiles *those same source files* with mypyc into
``build/compiled/`` and records, in a manifest, the sha256 of each source, the interpreter's cache tag and the
mypy version. The live hall and the twin still call one routing policy: the compiled module is a translation of
the file, not a second copy of its rules, and a parity test runs the golden scenario both ways.

:func:`install` (called by the ``queueing`` and ``simulation`` packages before any of their modules is imported)
puts a finder in front of the import system that serves the compiled modules, all or nothing, only when

- ``HALL_COMPILED`` is not ``0``,
- the manifest names this interpreter (same cache tag), and
- every compiled module's source still has the recorded sha256.

Otherwise the pure-Python modules are imported as usual (a stale build is reported once in the log), so editing
``routing.py`` can never run yesterday's compiled copy. A machine without a C compiler or without mypy skips the
build with a warning and runs pure Python; only the simulation's speed differs (``BENCHMARKS.md``).
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

log = logging.getLogger(__name__)

#: The modules compiled, in the order mypyc is given them. One compilation group: model.py calls routing natively.
COMPILED_MODULES: tuple[str, ...] = ("queueing.domain.routing", "simulation.draws", "simulation.model")

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_NAME = "manifest.json"
ENV_SWITCH = "HALL_COMPILED"
ENV_DIR = "HALL_COMPILED_DIR"


def build_dir() -> Path:
    """Where the compiled modules and their manifest live (``HALL_COMPILED_DIR`` or ``<repo>/build/compiled``)."""
    configured = os.environ.get(ENV_DIR)
    return Path(configured) if configured else ROOT / "build" / "compiled"


def source_path(module: str, root: Path = ROOT) -> Path:
    return root.joinpath(*module.split(".")).with_suffix(".py")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mypy_version() -> str | None:
    try:
        from mypy.version import __version__
    except ImportError:
        return None
    return str(__version__)


@dataclass(frozen=True, slots=True)
class Freshness:
    """Whether a build may be used, and if not, why (shown by ``python -m hall.compiled status``)."""

    usable: bool
    reason: str
    files: dict[str, Path]


def check(directory: Path | None = None, root: Path = ROOT) -> Freshness:
    """Decide whether the build in ``directory`` matches this interpreter and the current sources."""
    directory = build_dir() if directory is None else directory
    manifest_path = directory / MANIFEST_NAME
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Freshness(usable=False, reason=f"not built ({manifest_path} is missing)", files={})
    except (OSError, ValueError) as exc:
        return Freshness(usable=False, reason=f"unreadable manifest {manifest_path}: {exc}", files={})
    if manifest.get("cache_tag") != sys.implementation.cache_tag:
        return Freshness(
            usable=False,
            reason=f"built for {manifest.get('cache_tag')}, this interpreter is {sys.implementation.cache_tag}",
            files={},
        )
    sources = manifest.get("sources", {})
    if sorted(sources) != sorted(COMPILED_MODULES):
        return Freshness(usable=False, reason="built for another set of modules", files={})
    for module in COMPILED_MODULES:
        path = source_path(module, root)
        try:
            current = _sha256(path)
        except OSError as exc:
            return Freshness(usable=False, reason=f"cannot read {path}: {exc}", files={})
        if current != sources[module]:
            return Freshness(usable=False, reason=f"stale: {path.relative_to(root)} changed since the build", files={})
    files = {name: directory / relative for name, relative in manifest.get("files", {}).items()}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing or not set(COMPILED_MODULES) <= set(files):
        return Freshness(usable=False, reason=f"incomplete build (missing {', '.join(missing) or 'modules'})", files={})
    return Freshness(usable=True, reason=f"compiled with mypy {manifest.get('mypy')}", files=files)


class _CompiledFinder(importlib.abc.MetaPathFinder):
    """Serve the compiled extension of each module named in a fresh manifest (and mypyc's shared library)."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        del path, target
        location = self.files.get(fullname)
        if location is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(location))
        return importlib.util.spec_from_file_location(fullname, location, loader=loader)


_state: dict[str, object] = {}


def install() -> bool:
    """Serve the compiled modules if the build is fresh; return whether they are served. Safe to call often."""
    if "active" in _state:
        return bool(_state["active"])
    active = False
    if os.environ.get(ENV_SWITCH, "1") != "0":
        freshness = check()
        if freshness.usable:
            already = [name for name in COMPILED_MODULES if name in sys.modules]
            if already:  # never mix a pure and a compiled copy of the group in one process
                log.warning("compiled modules not used: %s already imported as pure Python", ", ".join(already))
            else:
                sys.meta_path.insert(0, _CompiledFinder(freshness.files))
                active = True
        elif not freshness.reason.startswith("not built"):  # never built: nothing to warn about
            log.warning("compiled modules not used (%s); run `python -m hall.compiled build`", freshness.reason)
        _state["reason"] = freshness.reason
    else:
        _state["reason"] = f"{ENV_SWITCH}=0"
    _state["active"] = active
    return active


def active() -> bool:
    """Whether this process runs the compiled modules (they are, once imported, extension modules)."""
    install()
    return bool(_state["active"])


def describe() -> str:
    """One line for benchmarks and logs: which implementation of the twin this process runs."""
    install()
    if _state["active"]:
        return f"compiled (mypyc): {', '.join(COMPILED_MODULES)}"
    return f"pure Python ({_state['reason']})"


def build(*, force: bool = False, directory: Path | None = None) -> tuple[bool, str]:
    """Compile :data:`COMPILED_MODULES` with mypyc into ``directory``; return (built or fresh, what happened).

    Never raises for a missing tool chain: Hall runs without the build, only the simulation is slower.
    """
    directory = build_dir() if directory is None else directory
    if not force and check(directory).usable:
        return True, f"up to date in {directory}"
    mypy_version = _mypy_version()
    if mypy_version is None:
        return False, "mypy (mypyc) is not installed; the twin runs as pure Python"
    if shutil.which(os.environ.get("CC", "cc")) is None:
        return False, "no C compiler (cc) found; the twin runs as pure Python"
    hashes = {module: _sha256(source_path(module)) for module in COMPILED_MODULES}
    directory.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hall-mypyc-") as scratch_name:
        scratch = Path(scratch_name)
        try:
            built = _compile(scratch)
        except (Exception, SystemExit) as exc:  # setuptools reports compiler failures as SystemExit
            return False, f"mypyc build failed ({exc}); the twin runs as pure Python"
        staging = Path(tempfile.mkdtemp(prefix=".compiled-", dir=directory.parent))
        files: dict[str, str] = {}
        for name, path in built.items():
            relative = path.relative_to(scratch / "lib")
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, staging / relative)
            files[name] = str(relative)
        manifest = {
            "cache_tag": sys.implementation.cache_tag,
            "mypy": mypy_version,
            "sources": hashes,
            "files": files,
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if directory.exists():
            shutil.rmtree(directory)
        staging.rename(directory)
    if {module: _sha256(source_path(module)) for module in COMPILED_MODULES} != hashes:
        return False, "sources changed during the build; run it again"
    return True, f"compiled {', '.join(COMPILED_MODULES)} into {directory}"


def _compile(scratch: Path) -> dict[str, Path]:
    """Run mypyc and setuptools' build_ext in ``scratch``; return module name → built extension file."""
    from mypyc.build import mypycify
    from setuptools import setup  # type: ignore[import-untyped]

    sources = [str(source_path(module)) for module in COMPILED_MODULES]
    previous = Path.cwd()
    # mypy and setuptools both look at the working directory (configuration, package discovery): build outside the
    # repository so neither picks up its pyproject.toml.
    os.chdir(scratch)
    try:
        extensions = mypycify(sources, opt_level="3", target_dir=str(scratch / "c"))
        setup(
            name="hall-compiled",
            ext_modules=extensions,
            packages=[],
            py_modules=[],
            script_name="setup.py",
            script_args=["--quiet", "build_ext", "--build-lib", str(scratch / "lib"), "--build-temp", "tmp"],
        )
    finally:
        os.chdir(previous)
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    built: dict[str, Path] = {}
    for path in sorted((scratch / "lib").rglob(f"*{suffix}")):
        relative = path.relative_to(scratch / "lib")
        name = ".".join((*relative.parent.parts, relative.name.removesuffix(suffix)))
        built[name] = path
    missing = set(COMPILED_MODULES) - set(built)
    if missing:
        raise RuntimeError(f"mypyc did not produce {', '.join(sorted(missing))}")
    return built


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hall.compiled build [--force]`` or ``python -m hall.compiled status``."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "status"
    if command == "build":
        ok, message = build(force="--force" in args)
        print(f"hall.compiled: {message if ok else 'warning: ' + message}")  # noqa: T201 - a command-line tool
        return 0  # a missing tool chain is not an install failure: pure Python is correct, only slower
    if command == "status":
        freshness = check()
        state = "usable" if freshness.usable else "not used"
        print(f"hall.compiled: {state}: {freshness.reason}")  # noqa: T201 - a command-line tool
        return 0 if freshness.usable else 1
    print("usage: python -m hall.compiled [build [--force] | status]")  # noqa: T201 - a command-line tool
    return 2


if __name__ == "__main__":
    sys.exit(main())
