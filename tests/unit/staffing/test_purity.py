"""The staffing domain is pure: standard library and hall.domain only, no clock, no randomness."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

DOMAIN = Path(__file__).resolve().parents[3] / "staffing" / "domain"
ALLOWED_PREFIXES = ("hall.domain", "staffing.domain")
FORBIDDEN_CALLS = {"now", "today", "utcnow", "time", "monotonic", "perf_counter"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_a_domain_module_imports_only_the_standard_library_and_the_domain_kernels(path: Path) -> None:
    for name in imported_modules(path):
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or name.startswith(ALLOWED_PREFIXES), f"{path.name} imports {name}"
        assert top not in {"random", "secrets", "time", "uuid"}, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_a_domain_module_never_reads_the_clock(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in FORBIDDEN_CALLS, f"{path.name} calls .{node.func.attr}()"


def test_importing_the_staffing_domain_loads_no_web_or_database_stack() -> None:
    heavy = ("litestar", "sqlalchemy", "advanced_alchemy", "msgspec", "simpy")
    code = f"import sys, staffing.domain; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=DOMAIN.parents[1]
    )
    assert out.stdout.strip() == "[]"


def test_the_public_names_are_sorted() -> None:
    import staffing.domain

    def isort_style(name: str) -> tuple[int, str]:  # ruff RUF022: CONSTANTS, then Classes, then functions
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert staffing.domain.__all__ == sorted(staffing.domain.__all__, key=isort_style)
    assert all(hasattr(staffing.domain, name) for name in staffing.domain.__all__)
