#!/usr/bin/env python3
"""Screenshots of the web page for reviewers: docs/web-phone.png (412x915, the start),
docs/web-phone-deadline.png (the deadline answer) and docs/web-desktop.png (1280x800), after a short
conversation (menu, a date, the deadline).

Runs the real web backend on 127.0.0.1 with a fixed date (22 November 2026) and Debian's headless
Chromium offline.  Usage: .venv/bin/python scripts/web_screenshots.py [OUT_DIR]"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import chrome  # noqa: E402 - after the sys.path line above
from tests.support.web_env import ServerThread  # noqa: E402 - after the sys.path line above

SIZES = {"web-phone": (412, 915), "web-desktop": (1280, 800)}


def _save(d, out: Path) -> None:
    if not d.save_screenshot(str(out)):
        raise RuntimeError(f"could not write {out}")
    print(out)


def shoot(url: str, out_dir: Path, name: str, width: int, height: int) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    d = chrome(width=width, height=height)
    try:
        d.get(url + "/")

        def count() -> int:
            return len(d.find_elements("css selector", "#log .msg.bot"))

        WebDriverWait(d, 15).until(lambda _: count() >= 2)
        d.execute_script("document.activeElement.blur(); window.scrollTo({top: 0, behavior: 'instant'})")
        if width < 600:
            _save(d, out_dir / f"{name}.png")
        n = count()
        [b for b in d.find_elements("css selector", "#log button") if "J'ai reçu" in b.text][0].click()
        WebDriverWait(d, 15).until(lambda _: count() > n)
        n = count()
        d.find_element("id", "msg").send_keys("reçu le 20 novembre")
        d.find_element("id", "send").click()
        WebDriverWait(d, 15).until(lambda _: count() > n)
        d.execute_script(
            "document.querySelectorAll('#log .msg')[document.querySelectorAll('#log .msg').length - 2]"
            ".scrollIntoView({block: 'start', behavior: 'instant'})"
        )
        d.execute_script("document.activeElement.blur()")
        _save(d, out_dir / (f"{name}-deadline.png" if width < 600 else f"{name}.png"))
    finally:
        d.quit()


def main() -> int:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data, ServerThread(Path(data)) as srv:
        for name, (w, h) in SIZES.items():
            shoot(srv.url, out_dir, name, w, h)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
