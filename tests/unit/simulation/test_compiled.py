"""The compiled twin (``hall.compiled``: mypyc builds of the same source files) against the same files run as Python.

In-process, the modules are whatever ``make install`` built (compiled when the build is fresh); a subprocess with
``HALL_COMPILED=0`` runs the pure-Python modules. Both simulate the golden centre day (several seeds) and a busy
stationary hall with a priority group, and every record of every visitor must be identical. Under CI the build
must be there and in use; elsewhere a missing build skips the comparison (the suite then ran pure Python anyway).
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hall import compiled
from simulation.runner import run
from simulation.scenario import Scenario

pytestmark = pytest.mark.unit

HERE = Path(__file__).resolve()
ROOT = HERE.parents[3]


def _scenarios() -> tuple[Scenario, Scenario]:
    """The golden centre day and the busy hall of ``conftest.py`` (loaded by path: the subprocess has no pytest)."""
    spec = importlib.util.spec_from_file_location("simulation_test_scenarios", HERE.parent / "conftest.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.centre_day_scenario(), module.busy_hall_scenario()


def records_digest() -> str:
    """sha256 over the repr of every record of the compared runs (floats' reprs are exact)."""
    digest = hashlib.sha256()
    centre_day, busy_hall = _scenarios()
    for scenario, seeds in ((centre_day, (20250303, 1, 2)), (busy_hall, (0, 1))):
        for seed in seeds:
            for record in run(scenario, seed).records:
                digest.update(repr(record).encode())
    return digest.hexdigest()


def _in_subprocess(switch: str) -> tuple[str, str]:
    env = {**os.environ, compiled.ENV_SWITCH: switch}
    code = (
        "import runpy, sys; from hall import compiled; "
        f"ns = runpy.run_path({str(HERE)!r}); print(ns['records_digest']()); print(compiled.describe())"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    digest, describe = result.stdout.strip().splitlines()[-2:]
    return digest, describe


def test_the_compiled_twin_gives_exactly_the_records_of_its_python_source() -> None:
    if not compiled.active():
        reason = f"the twin runs as pure Python here ({compiled.describe()}); `make install` builds it"
        if os.environ.get("CI") == "true":
            pytest.fail(f"under CI the compiled twin must be built and used: {reason}")
        pytest.skip(reason)
    pure_digest, pure = _in_subprocess("0")
    assert pure.startswith("pure Python")
    assert sys.modules["simulation.model"].__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    assert records_digest() == pure_digest
