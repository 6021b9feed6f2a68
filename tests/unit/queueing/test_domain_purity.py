"""The queueing core stays pure: standard library and ``hall.domain`` only, no clock, no randomness, no async."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import queueing.domain

pytestmark = pytest.mark.unit

DOMAIN_DIR = Path(queueing.domain.__file__).parent
MODULES = sorted(DOMAIN_DIR.glob("*.py"))
ALLOWED_ROOTS = {"hall.domain", "queueing.domain"}
HEAVY = ("litestar", "sqlalchemy", "advanced_alchemy", "msgspec", "simpy", "structlog", "numpy", "scipy")
FORBIDDEN_CALLS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter"}


def imported_modules(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_module_imports_only_the_standard_library_and_domain_packages(path: Path) -> None:
    for name in imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
        root = name.split(".")[0]
        is_domain = any(name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED_ROOTS)
        assert is_domain or root in sys.stdlib_module_names, f"{path.name} imports {name}"
        assert root not in {"random", "secrets", "time", "asyncio"}, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_module_reads_no_clock_and_defines_no_coroutine(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        assert not isinstance(node, ast.AsyncFunctionDef | ast.Await), f"{path.name} is async"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in FORBIDDEN_CALLS, f"{path.name} calls .{node.func.attr}()"


def test_importing_the_queueing_core_loads_no_web_database_or_simulation_stack() -> None:
    code = f"import sys, queueing.domain; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    root = DOMAIN_DIR.parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root).stdout
    assert out.strip() == "[]"


def test_the_package_exports_a_sorted_all_of_names_it_defines() -> None:
    exported = queueing.domain.__all__
    assert list(exported) == sorted(exported, key=lambda n: (not n.isupper(), not n[:1].isupper(), n))
    assert all(hasattr(queueing.domain, name) for name in exported)
