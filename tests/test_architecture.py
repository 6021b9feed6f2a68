"""Boundaries that import-linter cannot see: package ``__init__`` files stay empty, and importing the pure
cores or the simulation never loads the web or database stack (Python imports parent packages first)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hall.compiled import COMPILED_MODULES

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parent.parent
STACK = ("litestar", "sqlalchemy", "advanced_alchemy", "asyncpg", "aiosqlite", "apscheduler", "weasyprint")


#: The one exception to empty package ``__init__`` files: the packages holding compiled modules install the finder
#: that serves them (``hall.compiled``, standard library only) before any of their modules is looked up.
COMPILED_HOOK = (ROOT / "simulation" / "__init__.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("package", ["hall", "queueing", "staffing", "simulation"])
def test_top_level_package_init_is_empty_or_the_compiled_module_hook(package: str) -> None:
    text = (ROOT / package / "__init__.py").read_text(encoding="utf-8")
    holds_compiled = any(module.startswith(f"{package}.") for module in COMPILED_MODULES)
    if holds_compiled:
        assert text == COMPILED_HOOK
        assert "from hall.compiled import install as _install_compiled\n\n_install_compiled()\n" in text
    else:
        assert text.strip() == ""


def test_the_compiled_module_hook_imports_only_the_standard_library() -> None:
    code = (
        "import sys; before = set(sys.modules); import hall.compiled; "
        "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] not in sys.stdlib_module_names))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "['hall', 'hall.compiled']"


@pytest.mark.parametrize("module", ["hall.domain", "queueing.domain", "staffing.domain", "simulation.runner"])
def test_importing_a_pure_core_loads_no_web_or_database_stack(module: str) -> None:
    code = f"import sys, {module}; print(sorted(m for m in {STACK!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"
