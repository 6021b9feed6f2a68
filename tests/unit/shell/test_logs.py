"""HALL_LOG_FORMAT=json writes one JSON object per line, for log collectors; text stays readable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[3]
SCRIPT = """
import logging, structlog
from hall.logs import configure_logging
from hall.settings import load_settings
configure_logging(load_settings({"HALL_LOG_FORMAT": "%s", "HALL_VAR_DIR": "%s", "HALL_SECRET_KEY": "k"}))
logging.getLogger("hall.test").warning("窗口 %%s 暂停", 5)
structlog.get_logger("hall.test").info("ticket called", number="A023", window=5)
"""


def run(fmt: str, tmp_path: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT % (fmt, tmp_path)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_json_logs_are_one_object_per_line_with_level_logger_and_time(tmp_path: Path) -> None:
    first, second = (json.loads(line) for line in run("json", tmp_path))
    assert first["event"] == "窗口 5 暂停"
    assert first["level"] == "warning"
    assert first["logger"] == "hall.test"
    assert first["timestamp"].endswith("Z")
    assert second["event"] == "ticket called"
    assert second["number"] == "A023"
    assert second["window"] == 5


def test_text_logs_are_plain_lines(tmp_path: Path) -> None:
    lines = run("text", tmp_path)
    assert len(lines) == 2
    assert "窗口 5 暂停" in lines[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[0])
