"""Redraw ``docs/app.png``: the app in Chinese, integrated reform against the status quo at week 30.

Starts ``run.py ui`` on a free loopback port, drives Debian's Chromium
(Playwright) through the page as a teacher would, saves a full-page
screenshot and stops the server. Run it after a change to the page's layout:

    .venv/bin/python scripts/app_screenshot.py [--out docs/app.png] [--weeks 30]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_app_browser import CHROMIUM, CHROMIUM_ARGS, choose, served_app, wait_week  # noqa: E402


def main() -> int:
    """Drive the page to the screenshot's state and save it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "app.png", help="PNG to write (default: docs/app.png)")
    parser.add_argument("--weeks", type=int, default=30, help="weeks to step before the screenshot (default: 30)")
    args = parser.parse_args()
    if args.weeks < 1:
        parser.error("--weeks must be at least 1")
    from playwright.sync_api import sync_playwright

    with served_app() as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1900, "height": 1250})
            page.set_default_timeout(60_000)
            page.goto(url)
            page.wait_for_selector(".week-counter")
            choose(page, "preset-select", "integrated_reform")
            choose(page, "compare-select", "baseline")
            page.wait_for_selector(".compare-note")
            page.locator(".lang-toggle").get_by_text("中文").click()
            page.wait_for_function("() => document.querySelector('.week-counter').innerText.includes('周')")
            for n in range(1, args.weeks + 1):
                page.locator(".btn-step").click()
                wait_week(page, n)
            page.wait_for_timeout(1000)  # the last week's charts
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out), full_page=True)
            browser.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
