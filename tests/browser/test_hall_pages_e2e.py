"""One visit through every page, in headless Chromium against a real server: the kiosk issues a ticket (surviving a
lost answer), the console signs in and calls it, the board shows and announces the call, the visitor's phone
shows "go to window 1", the console finishes the visit, and the visitor rates it.

Each page is screenshotted into ``test-artifacts/browser/`` (Chinese, and English after the switch) and checked
for accessibility on the way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Printing and speech are replaced by recorders in every frame: a test cannot hear, and must count prints.
RECORDERS = """
(() => {
  const top = window.top === window ? window : window.top;
  if (window.top === window) { window.__hall = { prints: 0, spoken: [], cancels: 0, overlaps: 0 }; }
  window.print = () => { top.__hall.prints += 1; };
  let busyUntil = 0;
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
  const synth = {
    speak(utterance) {
      const now = Date.now();
      if (now < busyUntil) { top.__hall.overlaps += 1; }
      busyUntil = now + 300;
      top.__hall.spoken.push({ text: utterance.text, lang: utterance.lang });
      setTimeout(() => { if (utterance.onend) { utterance.onend({}); } }, 300);
    },
    cancel() { top.__hall.cancels += 1; },
    getVoices() { return []; },
  };
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
})();
"""


def shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=False)


def new_page(browser: Any, hall: Any, *, width: int, height: int, mobile: bool = False) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=mobile,
        has_touch=mobile,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=hall.base,
    )
    context.add_init_script(RECORDERS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


def press(page: Any, key: str) -> None:
    """Press a console shortcut once htmx has finished the last swap (a button not yet processed does nothing)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.keyboard.press(key)


def waiting_total(hall: Any) -> int:
    with hall.api() as api:
        return int(api.get("/api/v1/centres/E2E/board").json()["waitingTotal"])


def test_a_visit_from_the_kiosk_to_the_rating(browser: Any, hall_server: Any, artifacts: Path, accessible: Any) -> None:
    hall = hall_server
    kiosk = new_page(browser, hall, width=1080, height=1920)
    board = new_page(browser, hall, width=1920, height=1080)
    console = new_page(browser, hall, width=1600, height=900)
    phone = new_page(browser, hall, width=390, height=844, mobile=True)

    # --- the devices sign in once, with their tokens ------------------------------------------------------------
    kiosk.goto(f"/device#{hall.kiosk_token}")
    kiosk.wait_for_url("**/kiosk/E2E")
    assert kiosk.locator("html").get_attribute("lang") == "zh-CN"
    shot(kiosk, artifacts, "01-kiosk-start")
    accessible(kiosk)

    board.goto(f"/device#{hall.display_token}")
    board.wait_for_url("**/board/E2E")
    board.wait_for_function("() => document.querySelector('#board-state') !== null")

    # --- the kiosk: a category, two items, the basket, and a press whose first answer is lost -----------------
    kiosk.click(".tile-primary")
    kiosk.click(".tile[data-domain=social_security]")
    kiosk.check("input[name=item][value=SB001]")
    kiosk.fill("#search", "YB001")
    kiosk.check("input[name=item][value=YB001]")
    shot(kiosk, artifacts, "02-kiosk-items")
    accessible(kiosk)
    kiosk.click("#to-confirm")
    assert kiosk.locator("#basket li").count() == 2
    shot(kiosk, artifacts, "03-kiosk-confirm")

    keys: list[str | None] = []

    def lose_the_first_answer(route: Any, request: Any) -> None:
        keys.append(request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()  # the server issues the ticket …
            route.abort("connectionreset")  # … and the kiosk never hears of it
        else:
            route.continue_()

    before = waiting_total(hall)
    kiosk.route("**/kiosk/E2E/tickets", lose_the_first_answer)
    kiosk.click("#take")
    ticket = kiosk.locator(".ticket")
    ticket.wait_for(timeout=15000)
    number = ticket.get_attribute("data-number")
    code = ticket.get_attribute("data-public-code")
    assert number
    assert code
    assert len(keys) == 2, "the lost answer is retried once"
    assert keys[0] is not None
    assert keys[0] == keys[1], "the retry carries the same Idempotency-Key"
    assert waiting_total(hall) == before + 1, "one press, one ticket"
    kiosk.wait_for_function("() => window.__hall.prints === 1")
    kiosk.wait_for_timeout(300)
    assert kiosk.evaluate("window.__hall.prints") == 1, "one press prints one ticket"
    assert "城乡居民基本养老保险参保登记" in ticket.inner_text()
    shot(kiosk, artifacts, "04-kiosk-ticket")
    accessible(kiosk)

    # --- the visitor's phone follows the ticket ----------------------------------------------------------------
    phone.goto(f"/t/{code}")
    assert phone.locator(".status-number").inner_text() == number
    assert "等候中" in phone.locator("#status").inner_text()
    shot(phone, artifacts, "05-visitor-waiting")
    accessible(phone)

    # --- the console: sign in, choose a window, call with the keyboard ------------------------------------------
    console.goto("/console")
    assert console.locator("#username").is_visible(), "an anonymous console asks for the password"
    shot(console, artifacts, "06-console-sign-in")
    accessible(console)
    console.fill("#username", "e2e-clerk")
    console.fill("#password", hall.password)
    console.click("button[type=submit].button-primary")
    console.wait_for_url("**/console")
    console.check("input[name=number][value='1']")
    shot(console, artifacts, "07-console-choose-window")
    accessible(console)
    console.click("button[type=submit].button-primary")
    console.wait_for_selector(".button-call")
    console.wait_for_selector(f".queue-number:text('{number}')")
    shot(console, artifacts, "08-console-idle")
    accessible(console)

    press(console, "n")
    console.wait_for_selector(f"#current-number:text('{number}')")
    why = console.locator(".why").inner_text()
    assert "叫号原因" in why, why
    assert "等候最久" in why, why
    shot(console, artifacts, "09-console-called")
    accessible(console)

    # --- the board shows the call and announces it in Mandarin -------------------------------------------------
    board.wait_for_selector(f".board-latest-number:text('{number}')")
    spaced = " ".join(number)
    board.wait_for_function("() => window.__hall.spoken.length >= 1")
    first = board.evaluate("window.__hall.spoken[0]")
    assert first == {"text": f"请 {spaced} 号到 1 号窗口办理", "lang": "zh-CN"}
    shot(board, artifacts, "10-board-call")
    accessible(board, focus_steps=2)

    # --- the phone hears of the call at once ---------------------------------------------------------------------
    phone.wait_for_selector(".status-call")
    assert "请立即到 1 号窗口办理" in phone.locator(".status-call").inner_text()
    shot(phone, artifacts, "11-visitor-called")

    # --- a recall is announced again, queued after the first announcement, never cutting it off ----------------
    press(console, "r")
    board.wait_for_function("() => window.__hall.spoken.length >= 2")
    recall = board.evaluate("window.__hall.spoken[1]")
    assert recall["text"] == f"重复呼叫：请 {spaced} 号到 1 号窗口办理"
    assert board.evaluate("window.__hall.overlaps") == 0
    assert board.evaluate("window.__hall.cancels") == 0

    # --- start, then finish with the outcome form ------------------------------------------------------------------
    console.wait_for_selector(".notice[role=status]")
    press(console, "s")
    console.wait_for_selector(".current.status-serving [data-key=c]")
    press(console, "c")
    console.wait_for_selector("#task form")
    for fieldset in range(console.locator("#task fieldset.outcome").count()):
        console.check(f"input[name=outcome-{fieldset}][value=instant]")
    shot(console, artifacts, "12-console-outcome-form")
    accessible(console)
    console.click("#task button[type=submit]")
    console.wait_for_selector(".receipt")
    assert console.locator("#task form").count() == 0
    shot(console, artifacts, "13-console-completed")

    phone.wait_for_selector(".status-completed")
    shot(phone, artifacts, "14-visitor-completed")

    # --- the visitor rates the visit on the phone; the rating is stored with the ticket ------------------------------
    rated = rate_on_the_phone(phone, hall, code, artifacts, accessible)

    # --- the English switch persists per browser ---------------------------------------------------------------------
    console.click(".lang-switch button[value=en]")
    console.wait_for_selector("html[lang=en]")
    assert "Call the next visitor" in console.locator(".button-call").inner_text()
    shot(console, artifacts, "16-console-english")
    accessible(console)
    phone.click(".lang-switch button[value=en]")
    phone.wait_for_selector("html[lang=en]")
    assert "Completed. Thank you for your visit." in phone.locator("#status").inner_text()
    phone.reload()
    assert phone.locator("html").get_attribute("lang") == "en", "the language is kept in a cookie"
    shot(phone, artifacts, "17-visitor-english")
    accessible(phone)

    for page in (kiosk, board, console, phone):
        assert page.errors == [], page.errors
        page.context.close()
    if not rated:
        pytest.skip("everything but the rating passed: the ratings API (SubmitRating) is not in this build yet")


def rate_on_the_phone(phone: Any, hall: Any, code: str, artifacts: Path, accessible: Any) -> bool:
    """The visitor rates the finished visit on their phone; it is stored, and a second rating is refused.

    Returns False when this build has no ratings API yet (the route answers 404).
    """
    with httpx.Client(base_url=hall.base, timeout=10) as anonymous:
        if anonymous.get(f"/api/v1/tickets/{code}/rating").status_code == 404:
            return False
    form = phone.locator("form.rating-form")
    form.wait_for(state="visible")
    phone.check("input[name=level][value='2']")
    assert phone.locator(".rating-reasons").is_visible(), "a negative rating asks for the reasons"
    phone.check("input[name=level][value='5']")
    assert not phone.locator(".rating-reasons").is_visible()
    phone.check("input[name=dimension-attitude][value='5']")
    phone.fill("#rating-comment", "窗口服务热情周到")
    shot(phone, artifacts, "15-visitor-rating")
    accessible(phone)
    phone.click("form.rating-form button[type=submit]")
    phone.wait_for_selector(".rating-thanks:visible")
    with httpx.Client(base_url=hall.base, timeout=10) as anonymous:
        stored = anonymous.get(f"/api/v1/tickets/{code}/rating").json()
        again = anonymous.post("/api/v1/ratings", json={"publicCode": code, "level": 1, "channel": "qr"})
    assert stored["isRated"] is True
    assert stored["rating"]["level"] == 5
    assert again.status_code == 409, "one rating per visit"
    return True
