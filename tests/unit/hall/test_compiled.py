"""``hall.compiled`` serves a build only while it matches the interpreter and every compiled module's source."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hall import compiled

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A source root with the compiled modules' files and a build directory whose manifest matches them."""
    root, build = tmp_path / "src", tmp_path / "build"
    files = {}
    for module in compiled.COMPILED_MODULES:
        source = compiled.source_path(module, root)
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(f"# {module}\n", encoding="utf-8")
        extension = build / f"{module.replace('.', '/')}.so"
        extension.parent.mkdir(parents=True, exist_ok=True)
        extension.write_bytes(b"\x7fELF")
        files[module] = str(extension.relative_to(build))
    manifest = {
        "cache_tag": sys.implementation.cache_tag,
        "mypy": "test",
        "sources": {m: hashlib.sha256(compiled.source_path(m, root).read_bytes()).hexdigest() for m in files},
        "files": files,
    }
    (build / compiled.MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    return root, build


def _manifest(build: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((build / compiled.MANIFEST_NAME).read_text(encoding="utf-8"))
    return data


def test_a_build_matching_its_sources_is_used(tree: tuple[Path, Path]) -> None:
    root, build = tree
    freshness = compiled.check(build, root)
    assert freshness.usable, freshness.reason
    assert set(freshness.files) == set(compiled.COMPILED_MODULES)


def test_editing_a_compiled_module_makes_the_build_stale(tree: tuple[Path, Path]) -> None:
    root, build = tree
    source = compiled.source_path("simulation.model", root)
    source.write_text(source.read_text(encoding="utf-8") + "x = 1\n", encoding="utf-8")
    freshness = compiled.check(build, root)
    assert not freshness.usable
    assert freshness.reason == "stale: simulation/model.py changed since the build"
    assert freshness.files == {}


def test_a_build_for_another_interpreter_is_not_used(tree: tuple[Path, Path]) -> None:
    root, build = tree
    manifest = _manifest(build) | {"cache_tag": "cpython-39"}
    (build / compiled.MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    freshness = compiled.check(build, root)
    assert not freshness.usable
    assert "built for cpython-39" in freshness.reason


def test_a_missing_or_partial_build_is_not_used(tree: tuple[Path, Path], tmp_path: Path) -> None:
    root, build = tree
    assert compiled.check(tmp_path / "nowhere", root).reason.startswith("not built")
    (build / "simulation" / "model.so").unlink()
    freshness = compiled.check(build, root)
    assert not freshness.usable
    assert freshness.reason.startswith("incomplete build")
    manifest = _manifest(build)
    sources = manifest["sources"]
    assert isinstance(sources, dict)
    manifest["sources"] = {k: v for k, v in sources.items() if k != "simulation.draws"}
    (build / compiled.MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    assert compiled.check(build, root).reason == "built for another set of modules"


def test_hall_compiled_0_runs_pure_python() -> None:
    code = "import simulation.model as m; from hall import compiled; print(m.__file__); print(compiled.describe())"
    env = {**os.environ, compiled.ENV_SWITCH: "0"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    path, describe = result.stdout.strip().splitlines()
    assert path.endswith("simulation/model.py")
    assert describe == "pure Python (HALL_COMPILED=0)"
