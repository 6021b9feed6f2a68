"""The hall pages' promises beyond one good visit, in headless Chromium against real servers: the display board
recovers by itself from a server restart and a network loss (so does the visitor's phone page), the kiosk never
issues or prints two tickets for one press while the network is away, it returns to the start screen after
inactivity, its seniors' mode (适老化) enlarges, contrasts and reads the ticket aloud, it checks appointments in by
code, and the board's announcements are queued and repeated on recall.

Tests that kill the server use ``restartable_hall`` (their own server and database); the others share the
session's ``hall_server``.
"""

from __future__ import annotations

import itertools
import re
import socket
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from queueing.domain.appointments import identity_check_character

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Printing and speech are replaced by recorders: a test cannot hear, and must count prints. Every utterance takes
# SPEAK_MS to say; a second ``speak`` while one is being said is counted as an overlap (announcements cutting each
# other off, or talking over each other), ``cancel`` as a cut. The htmx event stream's openings are counted too.
SPEAK_MS = 700
RECORDERS = """
(() => {
  const speakMs = __SPEAK_MS__;
  const top = window.top === window ? window : window.top;
  if (window.top === window) {
    window.__hall = { prints: 0, spoken: [], cancels: 0, overlaps: 0, sseOpens: 0 };
    document.addEventListener("htmx:sseOpen", () => { window.__hall.sseOpens += 1; });
  }
  window.print = () => { top.__hall.prints += 1; };
  let busyUntil = 0;
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
  const synth = {
    speak(utterance) {
      const now = Date.now();
      if (now < busyUntil) { top.__hall.overlaps += 1; }
      busyUntil = now + speakMs;
      top.__hall.spoken.push({ text: utterance.text, lang: utterance.lang, at: now });
      setTimeout(() => { if (utterance.onend) { utterance.onend({}); } }, speakMs);
    },
    cancel() { top.__hall.cancels += 1; busyUntil = 0; },
    getVoices() { return []; },
    speaking: false,
    pending: false,
  };
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
})();
""".replace("__SPEAK_MS__", str(SPEAK_MS))

SHANGHAI = ZoneInfo("Asia/Shanghai")


def new_page(browser: Any, base: str, *, width: int = 1080, height: int = 1920) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=base,
    )
    context.add_init_script(RECORDERS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


def check(response: httpx.Response, *expected: int) -> Any:
    assert response.status_code in expected, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json() if response.content else {}


def spaced(number: str) -> str:
    return " ".join(number)


def issue(api: httpx.Client, item: str = "SB001") -> dict[str, Any]:
    """A ticket issued at the guide desk (the admin's token)."""
    body = {"itemCodes": [item], "channel": "guide_desk"}
    return dict(check(api.post("/api/v1/centres/E2E/tickets", json=body), 201))


def open_window(api: httpx.Client, number: int, employee_no: str) -> None:
    path = f"/api/v1/centres/E2E/windows/{number}/session"
    check(api.post(path, json={"staffEmployeeNo": employee_no}), 201, 409)


def call_next(api: httpx.Client, window: int) -> str:
    called = check(api.post(f"/api/v1/centres/E2E/windows/{window}/call-next"), 200)
    return str(called["ticket"]["number"])


def finish_current(api: httpx.Client, window: int) -> None:
    """Clear the window's current ticket (a no-show is enough), so the next call-next may run."""
    path = f"/api/v1/centres/E2E/windows/{window}/current/no-show"
    check(api.post(path), 200, 404, 409)


def drain(api: httpx.Client) -> None:
    """Nobody waiting and window 1 free: every waiting ticket is called at window 1 and marked a no-show."""
    open_window(api, 1, "E2E001")
    finish_current(api, 1)
    for _ in range(500):
        response = api.post("/api/v1/centres/E2E/windows/1/call-next")
        if response.status_code == 204:
            return
        check(response, 200)
        finish_current(api, 1)
    raise AssertionError("the queue did not empty")


@pytest.fixture
def hall(restartable_hall: Any) -> Any:
    """The module's own server, with nobody waiting and window 1 open and free; the server runs again afterwards."""
    hall, server = restartable_hall
    if server.process is None:
        server.start()
    with hall.api() as api:
        drain(api)
    return hall


def other_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tickets_with_key(hall: Any, key: str) -> list[str]:
    """The numbers of the tickets the database holds for one idempotency key (read straight from the file)."""
    path = Path(hall.database_url.removeprefix("sqlite+aiosqlite:///"))
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT number FROM ticket WHERE idempotency_key = ?", (key,))]


def board_page(browser: Any, hall: Any) -> Any:
    board = new_page(browser, hall.base, width=1920, height=1080)
    board.goto(f"/device#{hall.display_token}")
    board.wait_for_url("**/board/E2E")
    board.wait_for_function("() => window.__hall.sseOpens >= 1")
    board.evaluate("() => { window.__sameDocument = true; }")  # gone if the page were reloaded
    return board


def latest_call(board: Any) -> tuple[str, str]:
    latest = board.locator(".board-latest")
    return str(latest.get_attribute("data-number")), str(latest.get_attribute("data-window"))


def kiosk_page(browser: Any, hall: Any, *, idle_seconds: int | None = None, ticket_seconds: int | None = None) -> Any:
    """The kiosk, signed in with its token; the idle and ticket timeouts it reads from its page may be shortened."""
    kiosk = new_page(browser, hall.base)
    if idle_seconds is not None or ticket_seconds is not None:

        def shorten(route: Any) -> None:
            response = route.fetch()
            html = response.text()
            if idle_seconds is not None:
                html = re.sub(r'data-idle-seconds="\d+"', f'data-idle-seconds="{idle_seconds}"', html)
            if ticket_seconds is not None:
                html = re.sub(r'data-ticket-seconds="\d+"', f'data-ticket-seconds="{ticket_seconds}"', html)
            route.fulfill(response=response, body=html)

        kiosk.route(re.compile(r".*/kiosk/E2E/?$"), shorten)
    kiosk.goto(f"/device#{hall.kiosk_token}")
    kiosk.wait_for_url("**/kiosk/E2E")
    if idle_seconds is not None or ticket_seconds is not None:
        kiosk.goto("/kiosk/E2E")  # a redirect's target is not routed: open the page itself
        shortened = kiosk.locator("#kiosk")
        assert idle_seconds is None or shortened.get_attribute("data-idle-seconds") == str(idle_seconds)
        assert ticket_seconds is None or shortened.get_attribute("data-ticket-seconds") == str(ticket_seconds)
    kiosk.wait_for_selector("#screen-start:visible")
    return kiosk


def choose(kiosk: Any, *codes: str) -> None:
    """From the start screen: take a ticket, find each item by its code, tick it, and go to the confirmation."""
    kiosk.click(".tile-primary")
    for code in codes:
        kiosk.fill("#search", code)
        kiosk.check(f"input[name=item][value={code}]")
    kiosk.click("#to-confirm")
    kiosk.wait_for_selector("#screen-confirm:visible")


def screen(kiosk: Any) -> str:
    return str(kiosk.evaluate("() => document.querySelector('[data-screen]:not([hidden])').dataset.screen"))


# --- 1. the display board recovers by itself -------------------------------------------------------------------


def test_the_board_recovers_after_a_server_restart(browser: Any, hall: Any, restartable_hall: Any) -> None:
    _, server = restartable_hall
    board = board_page(browser, hall)
    with hall.api() as api:
        first = issue(api)["number"]
        assert call_next(api, 1) == first
    board.wait_for_selector(f".board-latest[data-number='{first}']")
    announce_first = f"请 {spaced(first)} 号到 1 号窗口办理"
    board.wait_for_function("(text) => window.__hall.spoken.some((u) => u.text === text)", arg=announce_first)

    # The server dies without a goodbye; the board says it is reconnecting.
    server.kill()
    board.wait_for_selector("#board-connection:not([hidden])", timeout=15000)

    # While it is down, another process of the same installation calls a ticket: the board cannot hear of it.
    other = server.start(port=other_port())
    with httpx.Client(base_url=other, headers=hall.admin, timeout=20) as api:
        finish_current(api, 1)
        missed = issue(api)["number"]
        assert call_next(api, 1) == missed
    server.stop_extra()
    assert latest_call(board)[0] == first

    # The server comes back on its port: the board reconnects and shows the call it missed, without a reload.
    server.start()
    board.wait_for_selector(f".board-latest[data-number='{missed}']", timeout=30000)
    board.wait_for_selector("#board-connection[hidden]", state="attached")
    assert board.evaluate("window.__sameDocument") is True, "the board recovered without reloading the page"

    # It lives on the new stream: a new call is shown and announced at once.
    with hall.api() as api:
        finish_current(api, 1)
        fresh = issue(api)["number"]
        assert call_next(api, 1) == fresh
    board.wait_for_selector(f".board-latest[data-number='{fresh}']", timeout=10000)
    announce_fresh = f"请 {spaced(fresh)} 号到 1 号窗口办理"
    board.wait_for_function("(text) => window.__hall.spoken.some((u) => u.text === text)", arg=announce_fresh)
    spoken = [u["text"] for u in board.evaluate("window.__hall.spoken")]
    assert spoken.count(announce_first) == 1, f"a call is announced once, even across a reconnect: {spoken}"
    assert board.evaluate("window.__sameDocument") is True
    assert board.errors == [], board.errors
    board.context.close()


def test_the_board_recovers_after_a_network_loss(browser: Any, hall: Any) -> None:
    board = board_page(browser, hall)
    opens = board.evaluate("window.__hall.sseOpens")

    board.context.set_offline(True)
    board.wait_for_selector("#board-connection:not([hidden])", timeout=15000)
    with hall.api() as api:
        missed = issue(api)["number"]
        assert call_next(api, 1) == missed  # the board is offline: it cannot hear of this call
    board.wait_for_timeout(1500)
    assert latest_call(board)[0] != missed

    board.context.set_offline(False)
    board.wait_for_selector(f".board-latest[data-number='{missed}']", timeout=30000)
    board.wait_for_selector("#board-connection[hidden]", state="attached")
    assert board.evaluate("window.__hall.sseOpens") > opens, "the event stream was opened again"
    assert board.evaluate("window.__sameDocument") is True, "the board recovered without reloading the page"

    with hall.api() as api:
        finish_current(api, 1)
        fresh = issue(api)["number"]
        assert call_next(api, 1) == fresh
    board.wait_for_selector(f".board-latest[data-number='{fresh}']", timeout=10000)
    assert board.errors == [], board.errors
    board.context.close()


def test_the_visitors_phone_recovers_after_a_silent_network_loss(browser: Any, hall: Any) -> None:
    # A phone's network can vanish without closing the stream; the page notices (stream-watch.js asks /health),
    # says so, and once the network is back it reconnects and shows the call it missed, without a reload.
    with hall.api() as api:
        ticket = issue(api)
    phone = new_page(browser, hall.base, width=390, height=844)
    phone.goto(f"/t/{ticket['publicCode']}")
    phone.wait_for_function("() => window.__hall.sseOpens >= 1")
    phone.evaluate("() => { window.__sameDocument = true; }")
    assert phone.locator("[data-status]").get_attribute("data-status") == "waiting"
    opens = phone.evaluate("window.__hall.sseOpens")

    phone.context.set_offline(True)
    phone.wait_for_selector("#visitor-connection:not([hidden])", timeout=15000)
    with hall.api() as api:
        assert call_next(api, 1) == ticket["number"]  # called while the phone cannot hear it
    phone.wait_for_timeout(1500)
    assert phone.locator("[data-status]").get_attribute("data-status") == "waiting"

    phone.context.set_offline(False)
    phone.wait_for_selector("[data-status='called']", timeout=30000)
    phone.wait_for_selector("#visitor-connection[hidden]", state="attached")
    assert phone.evaluate("window.__hall.sseOpens") > opens, "the event stream was opened again"
    assert phone.evaluate("window.__sameDocument") is True, "the page recovered without reloading"
    assert phone.errors == [], phone.errors
    phone.context.close()


# --- 2. a kiosk press while the network is away ------------------------------------------------------------------


def test_a_press_while_offline_gives_one_ticket_printed_once(browser: Any, hall: Any) -> None:
    kiosk = kiosk_page(browser, hall)
    choose(kiosk, "SB001")
    keys: list[str] = []
    issued: list[str] = []

    def network_goes_away(route: Any, request: Any) -> None:
        keys.append(request.headers.get("idempotency-key", ""))
        if len(keys) == 1:
            answer = route.fetch()  # the server issues the ticket …
            issued.extend(re.findall(r'data-number="([^"]+)"', answer.text()))
            kiosk.context.set_offline(True)  # … and the network goes away before the kiosk hears of it
            route.abort("internetdisconnected")
        else:
            route.continue_()

    kiosk.route("**/kiosk/E2E/tickets", network_goes_away)
    attempts: list[str] = []
    kiosk.on(
        "request",
        lambda request: (
            attempts.append(request.headers.get("idempotency-key", ""))
            if request.method == "POST" and request.url.endswith("/kiosk/E2E/tickets")
            else None
        ),
    )
    kiosk.click("#take")
    # Offline, the kiosk keeps trying and says so; it does not give up, and it shows no ticket.
    kiosk.wait_for_selector("#retrying:visible")
    kiosk.wait_for_function("() => /3/.test(document.getElementById('retrying').textContent)", timeout=15000)
    assert screen(kiosk) == "wait"
    assert kiosk.evaluate("window.__hall.prints") == 0

    kiosk.context.set_offline(False)
    ticket = kiosk.locator(".ticket")
    ticket.wait_for(timeout=20000)
    number = ticket.get_attribute("data-number")
    assert issued == [number], "the retry shows the ticket the server issued on the first attempt"
    assert len(keys) >= 2
    assert len(set(keys)) == 1, f"every attempt carries the press's Idempotency-Key: {keys} {attempts}"
    assert set(attempts) <= set(keys)
    assert tickets_with_key(hall, keys[0]) == [number], "one press, one ticket in the database"
    kiosk.wait_for_function("() => window.__hall.prints === 1")
    kiosk.wait_for_timeout(500)
    assert kiosk.evaluate("window.__hall.prints") == 1, "one press prints one ticket"
    assert kiosk.errors == [], kiosk.errors
    kiosk.context.close()


# --- 3. the kiosk returns to the start screen after inactivity ---------------------------------------------------


def test_the_kiosk_returns_to_the_start_after_inactivity(browser: Any, hall: Any) -> None:
    # The page reads its timeouts from data attributes: shortened here to 6 s idle and 5 s for the ticket.
    kiosk = kiosk_page(browser, hall, idle_seconds=6, ticket_seconds=5)
    kiosk.click("#care-mode")
    kiosk.click(".tile-primary")
    kiosk.fill("#search", "SB001")
    kiosk.check("input[name=item][value=SB001]")
    assert screen(kiosk) == "catalogue"

    # A visitor still choosing is left alone: every touch starts the wait again.
    kiosk.wait_for_timeout(4000)
    kiosk.locator("#search").click()
    kiosk.wait_for_timeout(4000)
    assert screen(kiosk) == "catalogue", "a touch 4 s ago is not inactivity"

    # Left alone, the kiosk starts over for the next visitor: start screen, nothing chosen, seniors' mode off.
    kiosk.wait_for_selector("#screen-start:visible", timeout=10000)
    assert kiosk.locator("input[name=item]:checked").count() == 0
    assert kiosk.locator("#search").input_value() == ""
    assert kiosk.locator("#basket-bar").is_hidden()
    assert kiosk.evaluate("document.documentElement.classList.contains('care')") is False
    assert kiosk.locator("#care-mode").get_attribute("aria-pressed") == "false"

    # The ticket stays on screen for its own time, counting down, then the start screen comes back.
    choose(kiosk, "SB001")
    kiosk.click("#take")
    kiosk.locator(".ticket").wait_for(timeout=15000)
    kiosk.wait_for_function("() => /\\d/.test(document.getElementById('countdown').textContent)")
    kiosk.wait_for_selector("#screen-start:visible", timeout=10000)
    assert kiosk.locator("#ticket .ticket").count() == 0, "the ticket is gone from the screen"
    assert kiosk.evaluate("window.__hall.prints") == 1
    assert kiosk.errors == [], kiosk.errors
    kiosk.context.close()


# --- 4. seniors' mode (适老化) --------------------------------------------------------------------------------------

CONTRAST = """
(selector) => {
  const el = document.querySelector(selector);
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  let node = el;
  let background = null;
  while (node && node.nodeType === 1) {
    const value = rgb(getComputedStyle(node).backgroundColor);
    if (value.length === 3 || (value.length === 4 && value[3] > 0)) { background = value; break; }
    node = node.parentElement;
  }
  background = background || [255, 255, 255];
  const style = getComputedStyle(el);
  const [a, b] = [luminance(rgb(style.color)), luminance(background)];
  return { ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), fontSize: parseFloat(style.fontSize) };
}
"""


def test_seniors_mode_enlarges_contrasts_and_reads_the_ticket_aloud(browser: Any, hall: Any) -> None:
    kiosk = kiosk_page(browser, hall)
    watched = [".screen-title", ".tile-primary .tile-title", ".tile:not(.tile-primary) .tile-hint", "#care-mode"]
    plain = {selector: kiosk.evaluate(CONTRAST, selector) for selector in watched}

    kiosk.click("#care-mode")
    assert kiosk.locator("#care-mode").get_attribute("aria-pressed") == "true"
    care = {selector: kiosk.evaluate(CONTRAST, selector) for selector in watched}
    for selector in watched:
        # Larger by a third at least, and never below 18 pt (24 px), the floor of the 适老化 guidelines.
        assert care[selector]["fontSize"] >= 1.3 * plain[selector]["fontSize"], (selector, plain, care)
        assert care[selector]["fontSize"] >= 24, (selector, care)
        assert care[selector]["ratio"] >= 7, f"{selector}: contrast {care[selector]['ratio']:.1f} < 7:1 (WCAG AAA)"
    assert kiosk.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"

    # The ticket, in large type, is read aloud in Mandarin: its number digit by digit and the people ahead.
    choose(kiosk, "SB001")
    kiosk.click("#take")
    ticket = kiosk.locator(".ticket")
    ticket.wait_for(timeout=15000)
    number = str(ticket.get_attribute("data-number"))
    kiosk.wait_for_function("() => window.__hall.spoken.length >= 1")
    said = kiosk.evaluate("window.__hall.spoken[0]")
    assert said["lang"] == "zh-CN"
    assert said["text"] == ticket.get_attribute("data-speech")
    assert said["text"].startswith(f"您的号码是 {spaced(number)}"), said
    assert "人" in said["text"], said
    number_size = kiosk.evaluate("parseFloat(getComputedStyle(document.querySelector('.ticket-number')).fontSize)")
    assert number_size >= 150, number_size
    assert kiosk.evaluate(CONTRAST, ".ticket-number")["ratio"] >= 7

    # "Read it again" reads the same words again.
    kiosk.click("#speak-again")
    kiosk.wait_for_function("() => window.__hall.spoken.length >= 2")
    assert kiosk.evaluate("window.__hall.spoken[1].text") == said["text"]
    assert kiosk.errors == [], kiosk.errors
    kiosk.context.close()


def test_without_seniors_mode_the_ticket_is_not_read_aloud(browser: Any, hall: Any) -> None:
    kiosk = kiosk_page(browser, hall)
    choose(kiosk, "SB001")
    kiosk.click("#take")
    kiosk.locator(".ticket").wait_for(timeout=15000)
    kiosk.wait_for_timeout(500)
    assert kiosk.evaluate("window.__hall.spoken") == []
    assert kiosk.locator("#speak-again").is_hidden()
    kiosk.context.close()


# --- 5. appointment check-in at the kiosk -------------------------------------------------------------------------


def identity_number(serial: int) -> str:
    first17 = f"11010519850101{serial:03d}"
    return first17 + identity_check_character(first17)


def book(hall: Any, serial: int) -> str:
    """Book today's next appointment slot for SB005 through the API; returns the appointment code."""
    today = datetime.now(SHANGHAI).date().isoformat()
    with hall.api() as api:
        slots = check(
            api.post(
                "/api/v1/centres/E2E/appointments/slots",
                json={"itemCode": "SB005", "day": today, "capacity": 50, "slotMinutes": 10},
            ),
            200,
        )
    bookable = [slot for slot in slots if slot["isBookable"] and slot["remaining"] > 0]
    if not bookable:
        pytest.skip("no appointment slot is left today (the E2E centre closes at midnight)")
    with httpx.Client(base_url=hall.base, timeout=20) as anonymous:
        booked = check(
            anonymous.post(
                "/api/v1/centres/E2E/appointments",
                json={
                    "itemCode": "SB005",
                    "startsAt": bookable[0]["startsAt"],
                    "visitorName": "王芳",
                    "identityNumber": identity_number(serial),
                },
            ),
            201,
        )
    return str(booked["code"])


def check_in(kiosk: Any, code: str) -> None:
    """From the start screen: appointment check-in, the code typed on the on-screen keypad, and the button."""
    kiosk.click("[data-go=appointment]")
    for character in code:
        kiosk.click(f".key[data-key='{character}']")
    assert kiosk.locator("#appointment-code").input_value() == code
    kiosk.click("#check-in")


def test_an_appointment_is_checked_in_at_the_kiosk_by_its_code(browser: Any, hall: Any) -> None:
    code = book(hall, serial=int(datetime.now(SHANGHAI).strftime("%M")) % 900 + 10)
    kiosk = kiosk_page(browser, hall)
    check_in(kiosk, code)
    ticket = kiosk.locator(".ticket")
    ticket.wait_for(timeout=15000)
    assert ticket.get_attribute("data-channel") == "appointment"
    assert kiosk.locator(".ticket .ticket-kind").inner_text() == "预约签到", "the ticket says it is an appointment"
    assert "退休待遇申领" in ticket.inner_text(), "the booked item is on the ticket"
    public_code = ticket.get_attribute("data-public-code")
    with httpx.Client(base_url=hall.base, timeout=20) as anonymous:
        status = check(anonymous.get(f"/api/v1/tickets/{public_code}"), 200)
        appointment = check(anonymous.get(f"/api/v1/appointments/{code}"), 200)
    assert status["channel"] == "appointment"
    assert [item["code"] for item in status["items"]] == ["SB005"]
    assert appointment["status"] == "checked_in"
    kiosk.wait_for_function("() => window.__hall.prints === 1")

    # The same code a second time: no second ticket, and the visitor is told why.
    kiosk.click("[data-reset]:visible")
    check_in(kiosk, code)
    kiosk.wait_for_selector("#screen-error:visible", timeout=15000)
    assert "该预约已签到或已取消" in kiosk.locator("#flash").inner_text()

    # A code that was never booked.
    kiosk.click("#screen-error [data-reset]")
    check_in(kiosk, "ZZZZ2345")
    kiosk.wait_for_selector("#screen-error:visible", timeout=15000)
    assert "本中心没有这个预约码，请核对后重新输入" in kiosk.locator("#flash").inner_text()
    assert kiosk.evaluate("window.__hall.prints") == 1, "a refused code prints nothing"
    assert kiosk.errors == [], kiosk.errors
    kiosk.context.close()


# --- 6. the board's announcements: queued, and repeated on recall -------------------------------------------------


def test_the_board_queues_announcements_and_repeats_a_recall(browser: Any, hall: Any) -> None:
    board = board_page(browser, hall)
    with hall.api() as api:
        open_window(api, 2, "E2E002")
        finish_current(api, 2)
        first = issue(api)["number"]
        second = issue(api)["number"]
        # Three calls within a fraction of a second, each announcement taking 0.7 s to say.
        assert call_next(api, 1) == first
        assert call_next(api, 2) == second
        check(api.post("/api/v1/centres/E2E/windows/1/current/recall"), 200)
    expected = [
        f"请 {spaced(first)} 号到 1 号窗口办理",
        f"请 {spaced(second)} 号到 2 号窗口办理",
        f"重复呼叫：请 {spaced(first)} 号到 1 号窗口办理",
    ]
    board.wait_for_function("(n) => window.__hall.spoken.length >= n", arg=len(expected), timeout=15000)
    board.wait_for_timeout(1500)  # nothing more comes
    spoken = board.evaluate("window.__hall.spoken")
    assert [u["text"] for u in spoken] == expected, "in the order of the calls, the recall repeated, each once"
    assert all(u["lang"] == "zh-CN" for u in spoken)
    assert board.evaluate("window.__hall.overlaps") == 0, "no announcement started while another was being said"
    assert board.evaluate("window.__hall.cancels") == 0, "no announcement was cut off"
    starts = [u["at"] for u in spoken]
    assert all(b - a >= SPEAK_MS - 50 for a, b in itertools.pairwise(starts)), starts
    board.wait_for_selector(f".board-latest[data-number='{first}'][data-window='1']")
    board.wait_for_selector(f".board-recent .board-number:text('{second}')")
    with hall.api() as api:
        finish_current(api, 2)
        check(api.delete("/api/v1/centres/E2E/windows/2/session"), 200, 204, 404, 409)
    assert board.errors == [], board.errors
    board.context.close()
