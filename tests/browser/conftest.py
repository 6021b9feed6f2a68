"""Browser tests: one real Hall server on its own SQLite database, and one headless Chromium, for the session.

The server runs as a subprocess (``hall serve``), as the live-events tests do: the pages' event streams never end,
and only a real server serves them to a real browser. It uses the real clock, so the tests build their own
always-open centre ``E2E`` (every day, 00:00–23:59:59; today's holiday, if any, is taken out of the calendar of
this throwaway database) with its own windows, clerk, kiosk and display board.

Chromium is Debian's (``apt-get install chromium``), driven by Playwright with ``executable_path``; when it is
missing the browser tests are skipped, except under ``CI=true`` where that fails the run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("HALL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--autoplay-policy=no-user-gesture-required",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "E2e-clerk-2026"  # a throwaway test account
ALL_DAY = [{"weekday": d, "opensAt": "00:00:00", "closesAt": "23:59:59"} for d in range(7)]
DOMAINS = ["social_security", "medical_insurance", "civil_affairs", "real_estate"]


@dataclass
class Hall:
    """The running server and what the tests set up on it."""

    base: str
    database_url: str = ""  # the server's own database (tests that need history write it directly)
    kiosk_token: str = ""
    display_token: str = ""
    admin: dict[str, str] = field(default_factory=dict)
    clerks: list[str] = field(default_factory=list)
    password: str = PASSWORD

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers=self.admin, timeout=20)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _check(response: httpx.Response, *expected: int) -> dict[str, Any]:
    assert response.status_code in expected, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json() if response.content else {}


def _set_up_centre(hall: Hall) -> None:
    """The always-open centre E2E: 3 windows, 2 clerks with sign-ins, a kiosk and a display board."""
    with httpx.Client(base_url=hall.base, timeout=20) as anonymous:
        token = _check(
            anonymous.post("/api/v1/auth/tokens", json={"username": "admin", "password": "Hall-demo-2026"}), 201
        )["token"]
    hall.admin = {"Authorization": f"Bearer {token}"}
    with hall.api() as api:
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
        _check(api.delete(f"/api/v1/calendars/CN/days/{today}"), 204, 404)  # a holiday would close the centre
        _check(
            api.post(
                "/api/v1/centres",
                json={
                    "code": "E2E",
                    "nameZh": "端到端测试政务服务中心",
                    "nameEn": "End-to-end Test Service Centre",
                    "level": "county",
                    "sessions": ALL_DAY,
                },
            ),
            201,
        )
        items = [
            i["code"]
            for domain in DOMAINS
            for i in _check(api.get("/api/v1/items", params={"domain": domain, "limit": 50}), 200)["items"]
        ]
        _check(api.put("/api/v1/centres/E2E/items", json={"items": [{"itemCode": c} for c in items]}), 200)
        for number in (1, 2, 3):
            _check(api.post("/api/v1/centres/E2E/windows", json={"number": number, "type": "comprehensive_all"}), 201)
        for no, name, username in (("E2E001", "李明", "e2e-clerk"), ("E2E002", "陈静", "e2e-clerk2")):
            staff = {
                "employeeNo": no,
                "name": name,
                "centreCode": "E2E",
                "skillLevel": 2,
                "employmentType": "contracted",
                "qualifiedDomains": DOMAINS,
            }
            _check(api.post("/api/v1/staff", json=staff), 201)
            user = {
                "username": username,
                "displayName": name,
                "password": PASSWORD,
                "role": "staff",
                "centreCode": "E2E",
                "staffEmployeeNo": no,
            }
            _check(api.post("/api/v1/users", json=user), 201)
            hall.clerks.append(username)
        for kind in ("kiosk", "display"):
            issued = _check(api.post("/api/v1/centres/E2E/devices", json={"kind": kind, "name": f"E2E {kind}"}), 201)
            setattr(hall, f"{kind}_token", issued["token"])


@pytest.fixture(scope="session")
def hall_server() -> Iterator[Hall]:
    directory = Path(tempfile.mkdtemp(prefix="hall-browser-"))
    url = f"sqlite+aiosqlite:///{directory / 'hall.db'}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "HALL_DATABASE_URL": url,
        "HALL_VAR_DIR": str(directory),
        "HALL_SECRET_KEY": "b" * 32,
        "HALL_RUN_SCHEDULER": "false",
        "HALL_LOG_LEVEL": "WARNING",
        "HALL_PUBLIC_URL": base,
    }
    for command in (["db", "upgrade"], ["seed", "demo"]):  # as `make demo` does
        subprocess.run([sys.executable, "-m", "hall", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    process = subprocess.Popen([sys.executable, "-m", "hall", "serve", "--port", str(port)], cwd=ROOT, env=env)
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            if process.poll() is not None:
                raise RuntimeError("the server exited")
            time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        hall = Hall(base=base, database_url=url)
        _set_up_centre(hall)
        yield hall
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)"
        if IN_CI:
            pytest.fail(f"CI=true and {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# --- accessibility checks ----------------------------------------------------------------------------------------
# Our own checks run against the live DOM (labels, accessible names, image alternatives, lang, unique ids, text
# contrast, keyboard focus order with a visible focus indicator), and axe-core on top (vendored under
# vendor/axe-core, MPL-2.0) with its WCAG 2 A/AA rules.

AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"

DOM_CHECKS = (Path(__file__).with_name("a11y_checks.js")).read_text(encoding="utf-8")

FOCUS_STEP = r"""
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const indicated = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
  return { tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent || el.value || "").trim().slice(0, 30),
           visible: box.width > 0 && box.height > 0, indicated: indicated };
}
"""


def dom_problems(page: Any) -> list[str]:
    """Run our own DOM checks; return what they found wrong."""
    result = page.evaluate(DOM_CHECKS)
    assert result["textsChecked"] > 0, "no text was checked: is the page empty?"
    return list(result["problems"])


def focus_problems(page: Any, steps: int = 12) -> list[str]:
    """Tab through the first ``steps`` stops: each must be visible and show a focus indicator."""
    problems = []
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    for _ in range(steps):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STEP)
        if stop is None:
            break
        if not stop["visible"]:
            problems.append(f"focus went to an invisible element: {stop}")
        if not stop["indicated"]:
            problems.append(f"no visible focus indicator on {stop}")
    return problems


def axe_violations(page: Any) -> list[str]:
    """Run axe-core's WCAG 2 A/AA rules; return one line per violation (rule, impact, first nodes)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
            const r = await axe.run(document, { runOnly: { type: "tag", values: tags } });
            return r.violations.map((v) => ({
                id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
            }));
        }"""
    )
    return [f"{v['id']} ({v['impact']}): {', '.join(v['nodes'])}" for v in result]


def check_page(page: Any, *, focus_steps: int = 12) -> None:
    """Every accessibility check on the page as it is now; fails with everything found."""
    problems = dom_problems(page) + focus_problems(page, focus_steps) + axe_violations(page)
    assert not problems, f"{page.url}:\n  " + "\n  ".join(problems)


@pytest.fixture(scope="session")
def accessible() -> Any:
    """``accessible(page)`` runs every accessibility check on the page as it is now."""
    return check_page


# --- a server the tests may stop and start again ----------------------------------------------------------------
# The session's ``hall_server`` is shared by every browser test and must never go away; tests of recovering from a
# server restart get their own server (own database, the same E2E centre) that they kill and start again.


@dataclass
class ServerProcess:
    """``hall serve`` on one database; ``kill()`` it and ``start()`` it again, on the same port or another one."""

    env: dict[str, str]
    port: int
    process: subprocess.Popen[bytes] | None = None
    extra: list[subprocess.Popen[bytes]] = field(default_factory=list)  # servers on other ports

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, port: int | None = None) -> str:
        """Start serving (on ``port``, default this server's own) and wait until it is healthy; returns its base."""
        port = self.port if port is None else port
        process = subprocess.Popen([sys.executable, "-m", "hall", "serve", "--port", str(port)], cwd=ROOT, env=self.env)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            if process.poll() is not None:
                raise RuntimeError(f"the server on port {port} exited")
            time.sleep(0.1)
        else:
            process.kill()
            raise RuntimeError(f"the server on port {port} did not start")
        if port == self.port:
            self.process = process
        else:
            self.extra.append(process)
        return base

    def kill(self) -> None:
        """Kill the server on this server's port at once (SIGKILL: no goodbye to the open streams)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def stop_extra(self) -> None:
        """Stop the servers started on other ports."""
        while self.extra:
            process = self.extra.pop()
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def restartable_hall(hall_server: Hall) -> Iterator[tuple[Hall, ServerProcess]]:
    """A Hall server of the module's own that its tests may kill and restart, on a copy of the session server's
    database (the demo data and the E2E centre, set up once): the shared server and its database are never touched.
    """
    directory = Path(tempfile.mkdtemp(prefix="hall-browser-restart-"))
    shared = Path(hall_server.database_url.removeprefix("sqlite+aiosqlite:///"))
    with (
        contextlib.closing(sqlite3.connect(shared)) as source,
        contextlib.closing(sqlite3.connect(directory / "hall.db")) as copy,
    ):
        source.backup(copy)  # consistent even while the shared server writes
    url = f"sqlite+aiosqlite:///{directory / 'hall.db'}"
    port = _free_port()
    env = {
        **os.environ,
        "HALL_DATABASE_URL": url,
        "HALL_VAR_DIR": str(directory),
        "HALL_SECRET_KEY": "b" * 32,  # the shared server's: its tokens are valid on the copy
        "HALL_RUN_SCHEDULER": "false",
        "HALL_LOG_LEVEL": "WARNING",
        "HALL_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    server = ServerProcess(env=env, port=port)
    try:
        hall = Hall(
            base=server.start(),
            database_url=url,
            kiosk_token=hall_server.kiosk_token,
            display_token=hall_server.display_token,
            admin=dict(hall_server.admin),
            clerks=list(hall_server.clerks),
        )
        yield hall, server
    finally:
        server.stop_extra()
        if server.process is not None:
            server.process.terminate()
            try:
                server.process.wait(10)
            except subprocess.TimeoutExpired:
                server.process.kill()
        shutil.rmtree(directory, ignore_errors=True)
