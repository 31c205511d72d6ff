"""The web page in a real headless Chromium (Selenium, offline): the menu, a typed date, the
deadline, the calendar file, keyboard use, hostile text shown as text, the language switch,
closing the tab; no console error, and no request leaves 127.0.0.1.

The browser is required: ``scripts/test.sh`` installs Debian's chromium and chromium-driver;
without them this test fails (it never skips silently)."""

from __future__ import annotations

import time

import pytest

from tests.support.browser import browser_available, chrome, requested_urls
from tests.support.web_env import ServerThread

pytestmark = pytest.mark.timeout(180)


def _wait(driver, condition, timeout: float = 15):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _bot_count(driver) -> int:
    return len(driver.find_elements("css selector", "#log .msg.bot"))


def _click_choice(driver, label: str) -> None:
    before = _bot_count(driver)
    buttons = [b for b in driver.find_elements("css selector", "#log button[data-payload]") if label in b.text]
    assert buttons, (label, [b.text for b in driver.find_elements("css selector", "#log button")])
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", buttons[-1])  # as a person scrolls to it
    buttons[-1].click()
    _wait(driver, lambda d: _bot_count(d) > before)


def _type(driver, text: str) -> None:
    before = _bot_count(driver)
    box = driver.find_element("id", "msg")
    box.send_keys(text)
    driver.find_element("id", "send").click()
    _wait(driver, lambda d: _bot_count(d) > before)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert browser_available(), (
        "chromium and chromium-driver are required: run scripts/test.sh (as root it installs them)"
    )
    with ServerThread(tmp_path_factory.mktemp("webdata")) as srv:
        yield srv


@pytest.fixture
def browser(tmp_path):
    driver = chrome(download_dir=tmp_path)
    driver.download_dir = tmp_path
    yield driver
    driver.quit()


def _no_console_errors(driver):
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not errors, errors


def _only_local(driver, base: str):
    urls = requested_urls(driver)
    assert urls
    outside = [u for u in urls if not (u.startswith(base + "/") or u == base or u.startswith("blob:" + base))]
    assert not outside, outside


def test_menu_date_deadline_and_calendar_file(server, browser):
    d = browser
    d.get(server.url + "/")
    _wait(d, lambda d: _bot_count(d) >= 2)
    assert d.find_element("tag name", "html").get_attribute("lang") == "fr"
    log = d.find_element("id", "log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    assert all(m.get_attribute("lang") == "fr" for m in d.find_elements("css selector", "#log .msg"))
    _click_choice(d, "J'ai reçu le mail ou le courrier")
    _type(d, "reçu le 20 novembre")
    answer = d.find_elements("css selector", "#log .msg.bot")[-1].text
    assert "Dernier jour pour refuser : vendredi 1er janvier 2027" in answer
    _click_choice(d, "Télécharger pour mon agenda")
    deadline = time.monotonic() + 15
    files = []
    while time.monotonic() < deadline and not files:  # bounded wait for Chromium to write the file
        files = [f for f in d.download_dir.glob("*.ics")]
        time.sleep(0.1)
    assert files, list(d.download_dir.iterdir())
    ics = files[0].read_text()
    assert ics.startswith("BEGIN:VCALENDAR") and "DTSTART;VALUE=DATE:20270101" in ics
    link = d.find_elements("css selector", "#log a.download")[-1]
    assert link.text == "Télécharger pour mon agenda" and link.get_attribute("download") == files[0].name
    _no_console_errors(d)
    _only_local(d, server.url)


def test_keyboard_only_and_language_switch(server, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    d = browser
    d.get(server.url + "/")
    _wait(d, lambda d: _bot_count(d) >= 2)
    before = _bot_count(d)
    for _ in range(12):  # Tab until the first choice of the menu has the focus
        ActionChains(d).send_keys(Keys.TAB).perform()
        active = d.switch_to.active_element
        if active.get_attribute("data-payload"):
            break
    assert "J'ai reçu" in active.text
    ActionChains(d).send_keys(Keys.ENTER).perform()
    _wait(d, lambda d: _bot_count(d) > before)
    # after a choice the focus moves to the new reply's first choice: the keyboard keeps going
    assert d.switch_to.active_element.get_attribute("data-payload")
    d.execute_script("window.scrollTo(0, 0)")  # the switch sits in the page's header
    d.find_element("id", "switch").click()
    _wait(
        d,
        lambda d: (
            d.find_element("tag name", "html").get_attribute("lang") == "en"
            and d.find_elements("css selector", "#log .msg.bot")[-1].get_attribute("lang") == "en"
        ),
    )
    assert d.find_element("id", "send").text == "Send"
    assert d.find_element("id", "switch").text == "Français"
    assert d.find_elements("css selector", "#log .msg.bot")[0].get_attribute("lang") == "fr"
    _no_console_errors(d)
    _only_local(d, server.url)


CONTRAST_JS = """
function lum(rgb) {
  var c = rgb.match(/[0-9.]+/g).slice(0, 3).map(function (v) {
    v = v / 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
function background(el) {
  for (; el; el = el.parentElement) {
    var bg = getComputedStyle(el).backgroundColor;
    var a = bg.match(/[0-9.]+/g);
    if (a && (a.length < 4 || parseFloat(a[3]) > 0)) { return bg; }
  }
  return "rgb(255, 255, 255)";
}
var out = [];
document.querySelectorAll("h1, p, a, button, label, input, .msg").forEach(function (el) {
  if (!el.offsetParent && el.tagName !== "BODY") { return; }
  var fg = lum(getComputedStyle(el).color), bg = lum(background(el));
  var ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  out.push([el.tagName + "#" + el.id + "." + el.className, Math.round(ratio * 10) / 10]);
});
return out;
"""


def test_every_text_passes_wcag_aa_contrast(server, browser):
    d = browser
    d.get(server.url + "/")
    _wait(d, lambda d: _bot_count(d) >= 2)
    _click_choice(d, "J'ai reçu le mail ou le courrier")
    _type(d, "reçu le 20 novembre")
    ratios = d.execute_script(CONTRAST_JS)
    assert len(ratios) > 20
    low = [r for r in ratios if r[1] < 4.5]
    assert not low, low


def test_hostile_text_is_shown_as_text(server, browser):
    d = browser
    d.get(server.url + "/")
    _wait(d, lambda d: _bot_count(d) >= 2)
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>gras</b>'
    _type(d, hostile)
    mine = d.find_elements("css selector", "#log .msg.user")[-1]
    assert hostile in mine.text
    assert not d.find_elements("css selector", "#log img, #log script, #log b")
    assert d.execute_script("return window.__pwned === undefined")
    _no_console_errors(d)


def test_closing_the_tab_ends_the_conversation(server, browser):
    d = browser
    d.get(server.url + "/")
    _wait(d, lambda d: _bot_count(d) >= 2)
    _type(d, "bonjour")
    first = d.current_window_handle
    assert len(server.web.conversations) >= 1
    opened = len(server.web.conversations)
    d.switch_to.new_window("tab")
    d.switch_to.window(first)
    d.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(server.web.conversations) >= opened:
        time.sleep(0.05)
    assert len(server.web.conversations) == opened - 1


def test_the_one_line_snippet_embeds_the_page_in_another_site(server, browser, tmp_path):
    """docs/web.md's iframe line, on a page of another origin (another port): the conversation works."""
    import functools
    import http.server
    import re
    import threading
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text(encoding="utf-8")
    snippet = re.search(r"^<iframe .*</iframe>$", doc, re.M).group(0)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        "<!doctype html><title>Collectif</title><link rel=icon href='data:,'><h1>Collectif</h1>"
        + snippet.replace("https://bot.example.org/", server.url + "/"),
        encoding="utf-8",
    )

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        d = browser
        d.get(f"http://127.0.0.1:{httpd.server_address[1]}/")
        d.switch_to.frame(d.find_element("tag name", "iframe"))
        _wait(d, lambda d: _bot_count(d) >= 2)
        _click_choice(d, "J'ai reçu le mail ou le courrier")
        _type(d, "reçu le 20 novembre")
        assert "1er janvier 2027" in d.find_elements("css selector", "#log .msg.bot")[-1].text
        d.switch_to.default_content()
        _no_console_errors(d)
    finally:
        httpd.shutdown()
        httpd.server_close()
