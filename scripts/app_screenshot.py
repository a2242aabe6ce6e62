"""Redraw ``docs/app.png``: the app in Chinese, integrated reform against the status quo at week 30.

Starts ``run.py ui`` on a free loopback port, drives Debian's Chromium
(Playwright) through the page as a teacher would, saves a full-page
screenshot and stops the server. Run it after a change to the page's layout:

    .venv/bin/python scripts/app_screenshot.py [--out docs/app.png] [--weeks 30]

``--viewport 1280x720`` (repeatable) takes one screenshot per window size
instead, named ``<out stem>_<width>x<height>.png``; ``--present`` opens
presentation mode (``?present=1``) and ``--lang en`` keeps English.
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
    parser.add_argument("--viewport", action="append", default=[], help="window size WIDTHxHEIGHT, repeatable (default: one full page at 1900x1250)")
    parser.add_argument("--present", action="store_true", help="presentation mode (?present=1)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the page (default: zh)")
    args = parser.parse_args()
    try:
        sizes = [tuple(int(n) for n in v.lower().split("x", 1)) for v in args.viewport]
    except ValueError:
        parser.error("--viewport takes WIDTHxHEIGHT, e.g. 1280x720")
    if args.weeks < 1:
        parser.error("--weeks must be at least 1")
    from playwright.sync_api import sync_playwright

    with served_app() as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            first = sizes[0] if sizes else (1900, 1250)
            page = browser.new_page(viewport={"width": first[0], "height": first[1]})
            page.set_default_timeout(60_000)
            page.goto(url)
            page.wait_for_selector(".week-counter")
            choose(page, "preset-select", "integrated_reform")
            choose(page, "compare-select", "baseline")
            page.wait_for_selector(".compare-note")
            if args.lang == "zh":
                page.locator(".lang-toggle").get_by_text("中文").click()
                page.wait_for_function("() => document.querySelector('.week-counter').innerText.includes('周')")
            for n in range(1, args.weeks + 1):
                page.locator(".btn-step").click()
                wait_week(page, n)
            if args.present:
                page.locator(".present-toggle").click()
                page.wait_for_selector(".app-present .chart-panel")
            page.wait_for_timeout(1000)  # the last week's charts
            args.out.parent.mkdir(parents=True, exist_ok=True)
            if not sizes:
                # The page scrolls inside solara's content box, so a "full page" screenshot would stop at
                # the window's edge: make the window as tall as the content instead.
                tall = page.evaluate("() => Math.max(...[...document.querySelectorAll('.v-application *')].map(e => e.scrollHeight)) + 80")
                first = (first[0], max(first[1], min(int(tall), 4000)))
            for width, height in sizes or [first]:
                page.set_viewport_size({"width": width, "height": height})
                page.wait_for_timeout(800)  # the charts lay themselves out again
                out = args.out.with_name(f"{args.out.stem}_{width}x{height}.png") if sizes else args.out
                page.screenshot(path=str(out), full_page=not sizes)
                print(f"wrote {out}")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
