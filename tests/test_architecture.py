"""Boundaries that import-linter cannot see: package ``__init__`` files stay empty, and importing the pure
cores or the simulation never loads the web or database stack (Python imports parent packages first)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parent.parent
STACK = ("litestar", "sqlalchemy", "advanced_alchemy", "asyncpg", "aiosqlite", "apscheduler", "weasyprint")


@pytest.mark.parametrize("package", ["hall", "queueing", "staffing", "simulation"])
def test_top_level_package_init_is_empty(package: str) -> None:
    assert (ROOT / package / "__init__.py").read_text(encoding="utf-8").strip() == ""


@pytest.mark.parametrize("module", ["hall.domain", "queueing.domain", "staffing.domain", "simulation.runner"])
def test_importing_a_pure_core_loads_no_web_or_database_stack(module: str) -> None:
    code = f"import sys, {module}; print(sorted(m for m in {STACK!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"
