"""The app on the screens classes use (issue 14): five window sizes, two languages, presentation mode.

Headless Chromium (Playwright) against ``run.py ui``'s server on loopback,
as in test_app_browser.py. One page is resized through every size, so the
charts are also checked to lay themselves out again when their container
changes. At each size and language: no horizontal scroll, no text or
control past the window's right edge, the parts of every chart (each grid's
plotting rectangle as ECharts computed it, each title, legend and colour
scale as ECharts drew it) do not overlap and stay inside the chart, no
paginated legend, and the step controls are visible and take a click.
A screenshot of each is kept (``APP_SCREENSHOT_DIR``, else pytest's
temporary folder; the path is printed).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_app_browser import CHROMIUM, CHROMIUM_ARGS, choose, served_app, wait_week

from app.present import FONT_PX

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh --dev)"),
]

#: The window sizes of issue 14: a small laptop, a projector, a laptop, a desktop, a phone.
SIZES = [(1024, 768), (1280, 720), (1400, 1000), (1920, 1080), (390, 844)]
LANGS = {"en": "English", "zh": "中文"}
#: Pixels of tolerance for rounding in the browser's boxes.
SLACK = 1

#: Every part of every chart on the page, as ECharts laid it out: grids from their
#: coordinate system (`getRect`), titles, legends and colour scales from the
#: bounding box of what their view drew, in the chart's own pixels.
BOXES = """() => {
  const out = [];
  for (const el of document.querySelectorAll('.solara-echarts')) {
    const vm = el.__vue__;
    if (!vm || !vm.chart) continue;
    const chart = vm.chart, model = chart.getModel();
    const name = [...el.classList].find(c => c.startsWith('chart-') && c !== 'chart-fill');
    const W = chart.getWidth(), H = chart.getHeight();
    const add = (kind, id, r, extra) => out.push(Object.assign({chart: name, kind, id: String(id), x: r.x, y: r.y, w: r.width, h: r.height, W, H}, extra || {}));
    model.eachComponent('grid', (g) => add('grid', g.id, g.coordinateSystem.getRect()));
    for (const type of ['title', 'legend', 'visualMap']) {
      model.eachComponent(type, (c) => {
        const view = chart.getViewOfComponentModel(c);
        if (!view || !view.group) return;
        view.group.updateTransform();
        const r = view.group.getBoundingRect().clone();
        if (view.group.transform) r.applyTransform(view.group.transform);
        add(type, c.id, r, {type: c.type, fontSize: (c.get('textStyle') || {}).fontSize || null});
      });
    }
  }
  return JSON.stringify(out);
}"""

#: Visible elements whose box leaves the window horizontally (outside horizontally scrolled boxes).
OUTSIDE = """() => {
  const width = window.innerWidth, out = [];
  const scrolled = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && p.scrollWidth > p.clientWidth + 1) return true;
    }
    return false;
  };
  const describe = (el, r) => (el.className && el.className.baseVal === undefined ? el.className : el.tagName)
    + ' ' + Math.round(r.left) + '..' + Math.round(r.right) + ': ' + (el.innerText || '').slice(0, 40);
  for (const el of document.querySelectorAll('.v-application *')) {
    const r = el.getBoundingClientRect();
    // Menus and tooltips float; a loading bar's stripes slide in from off-screen by design.
    if (r.width === 0 || r.height === 0 || el.closest('.v-menu__content, .v-tooltip__content, .v-progress-linear')) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || s.opacity === '0') continue;
    if ((r.right > width + 1 || r.left < -1) && !scrolled(el)) out.push(describe(el, r));
  }
  return out.slice(0, 10);
}"""

#: Boxes that scroll sideways (the page, or a scrolling container), or cards whose content is cut at the side.
HSCROLL = """() => {
  const boxes = [document.scrollingElement, ...document.querySelectorAll('.v-application *')];
  const scrolls = (e) => e === document.scrollingElement || ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) || e.classList.contains('v-card');
  return boxes.filter(e => scrolls(e) && e.scrollWidth > e.clientWidth + 1 && !e.closest('.explanations'))
    .map(e => (e.className || e.tagName) + ' ' + e.scrollWidth + '>' + e.clientWidth + ': ' + (e.innerText || '').slice(0, 60));
}"""

#: Whether every chart has laid itself out for its current width (app/live_chart.vue).
LAID_OUT = """() => [...document.querySelectorAll('.solara-echarts')].every(e => e.__vue__ && e.__vue__.chart && e.__vue__.laidWidth === e.clientWidth)"""


def boxes(page) -> list[dict]:
    """The visible parts of every chart (parts of other tabs lie below the canvas, where nothing is drawn)."""
    return [b for b in json.loads(page.evaluate(BOXES)) if b["y"] < b["H"] and b["y"] + b["h"] > 0]


def overlaps(a: dict, b: dict) -> bool:
    """Whether two boxes share more than the rounding slack."""
    return min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"]) > SLACK and min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"]) > SLACK


def settle(page) -> None:
    """Wait until every chart has laid itself out for the window, then a frame more."""
    page.wait_for_function(LAID_OUT)
    page.wait_for_timeout(300)
    page.wait_for_function(LAID_OUT)


def to_top(page) -> None:
    page.evaluate("() => { document.scrollingElement.scrollTop = 0; for (const e of document.querySelectorAll('.v-application *')) if (e.scrollTop) e.scrollTop = 0; }")


def clickable(page, selector: str) -> bool:
    """Whether the element is inside the window and is what a click at its centre hits."""
    return page.evaluate(
        """(sel) => { const el = document.querySelector(sel); if (!el) return false; const r = el.getBoundingClientRect();
        if (r.left < 0 || r.right > innerWidth || r.top < 0 || r.bottom > innerHeight) return false;
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return !!hit && el.contains(hit); }""",
        selector,
    )


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    """Where the screenshots go (kept after the run: ``APP_SCREENSHOT_DIR``, else pytest's temporary folder)."""
    folder = Path(os.environ["APP_SCREENSHOT_DIR"]) if os.environ.get("APP_SCREENSHOT_DIR") else tmp_path_factory.mktemp("screens")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """The app's server and a headless Chromium; both stopped after the module."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with (tmp_path_factory.mktemp("layout") / "server.log").open("w") as log, served_app(log) as url:
        with playwright_api.sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            chromium.url = url
            yield chromium
            chromium.close()


@pytest.fixture(scope="module")
def page(browser):
    """One page, integrated reform against the status quo (the most series and legend entries), three weeks in."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.goto(browser.url)
    tab.wait_for_selector(".week-counter")
    choose(tab, "preset-select", "integrated_reform")
    choose(tab, "compare-select", "baseline")
    tab.wait_for_selector(".compare-note")
    for n in (1, 2, 3):
        tab.locator(".btn-step").click()
        wait_week(tab, n)
    yield tab
    context.close()


@pytest.mark.parametrize("lang", list(LANGS))
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_layout_fits_the_window(page, artefacts, size, lang):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    page.locator(".lang-toggle").get_by_text(LANGS[lang]).click()
    page.wait_for_function("(zh) => document.querySelector('.week-counter').innerText.includes('周') === zh", arg=lang == "zh")
    settle(page)
    to_top(page)
    page.screenshot(path=str(artefacts / f"app_{width}x{height}_{lang}.png"))

    assert page.evaluate(HSCROLL) == [], "something scrolls sideways"
    assert page.evaluate(OUTSIDE) == [], "text or a control leaves the window"

    parts = boxes(page)
    kinds = {(b["chart"], b["kind"]) for b in parts}
    assert {("chart-overview", "grid"), ("chart-overview", "visualMap"), ("chart-panel", "grid"), ("chart-panel", "legend")} <= kinds
    assert not [b for b in parts if b["kind"] == "legend" and b["type"] != "legend.plain"], "a paginated legend"
    for b in parts:
        assert -SLACK <= b["x"] and b["x"] + b["w"] <= b["W"] + SLACK, f"{b['chart']} {b['kind']} {b['id']} leaves its chart sideways"
        assert b["y"] + b["h"] <= b["H"] + SLACK, f"{b['chart']} {b['kind']} {b['id']} is cut at the bottom"
    clashes = [(a["chart"], a["kind"], a["id"], b["kind"], b["id"]) for i, a in enumerate(parts) for b in parts[i + 1 :] if a["chart"] == b["chart"] and overlaps(a, b)]
    assert clashes == [], "chart parts overlap"

    # The controls a step needs: visible and hit by a click, and the click steps.
    for button in (".btn-reset", ".btn-play", ".btn-step"):
        assert clickable(page, button), f"{button} is not visible and clickable at {width}x{height}"
    before = int(page.evaluate("() => document.querySelector('.week-counter').innerText.match(/\\d+/)[0]"))
    page.locator(".btn-step").click()
    wait_week(page, before + 1)


def test_phone_folds_the_controls_and_tabs_the_charts(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator(".lang-toggle").get_by_text("English").click()
    settle(page)
    to_top(page)
    assert not page.locator(".preset-select").is_visible(), "on a phone the controls are folded away"
    page.locator(".controls-toggle").click()
    page.locator(".preset-select").wait_for(state="visible")
    page.locator(".controls-toggle").click()
    page.locator(".preset-select").wait_for(state="hidden")
    tabs = page.locator(".chart-panel .chart-tab")
    assert tabs.count() == 7  # six time-series charts and the difference
    shown = {b["id"] for b in boxes(page) if b["chart"] == "chart-panel" and b["kind"] == "grid"}
    assert len(shown) == 1
    tabs.nth(3).click()
    page.wait_for_function("() => document.querySelectorAll('.chart-panel .chart-tab-active').length === 1")
    settle(page)
    now = {b["id"] for b in boxes(page) if b["chart"] == "chart-panel" and b["kind"] == "grid"}
    assert len(now) == 1 and now != shown, "a tab shows another chart"


def test_tooltip_names_the_comparison(page):
    """The comparison's series share your series' names in the legend; the tooltip tells them apart."""
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.locator(".lang-toggle").get_by_text("English").click()
    settle(page)
    page.evaluate("() => document.querySelector('.chart-panel').scrollIntoView()")
    page.evaluate("() => document.querySelector('.chart-panel').__vue__.chart.dispatchAction({type: 'showTip', seriesIndex: 4, dataIndex: 1})")
    page.wait_for_function("() => document.querySelector('.chart-panel').innerText.includes('(comparison)')")
    text = page.locator(".chart-panel").inner_text()
    assert "need coverage (comparison)" in text and "need coverage:" in text


def test_presentation_mode_fits_a_projector(browser, artefacts):
    """``?present=1`` at 1,280 x 720: the map, the table and the lesson's charts on one screen, no lever panel, large type."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(browser.url + "?present=1&charts=coverage,gap,satisfaction")
    page.wait_for_selector(".app-present .chart-panel")
    for n in (1, 2):
        page.locator(".btn-step").click()
        wait_week(page, n)
    settle(page)
    page.screenshot(path=str(artefacts / "app_present_1280x720.png"))
    assert page.locator(".lever-group").count() == 0 and page.locator(".preset-select").count() == 0, "the lever panel is hidden"
    assert page.evaluate(HSCROLL) == [], "something scrolls sideways or is cut at the side"
    assert page.evaluate(OUTSIDE) == [], "text or a control leaves the window"
    # Everything on one screen: nothing scrolls, and the map, table and charts lie inside the window.
    scrolls = page.evaluate(
        """() => [document.scrollingElement, ...document.querySelectorAll('.v-application *')]
          .filter(e => e.scrollHeight > e.clientHeight + 1 && (e === document.scrollingElement || ['auto', 'scroll'].includes(getComputedStyle(e).overflowY)))
          .map(e => e.className || e.tagName)"""
    )
    assert scrolls == [], "presentation mode scrolls"
    for selector in (".now-table", ".chart-overview", ".chart-panel", ".week-counter", ".btn-step"):
        box = page.locator(selector).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 720 + SLACK and box["x"] + box["width"] <= 1280 + SLACK, f"{selector} is not on the screen"
    parts = boxes(page)
    grids = sorted(b["id"] for b in parts if b["chart"] == "chart-panel" and b["kind"] == "grid")
    assert grids == ["coverage", "gap", "satisfaction"], "the charts chosen in the address"
    assert [b["id"] for b in parts if b["chart"] == "chart-overview" and b["kind"] == "grid"] == ["map"]
    assert all(b["h"] >= 100 for b in parts if b["kind"] == "grid"), "plots big enough to read"
    assert [(a["id"], b["id"]) for i, a in enumerate(parts) for b in parts[i + 1 :] if a["chart"] == b["chart"] and overlaps(a, b)] == []
    # Type at least FONT_PX: the page's text, and every title, legend and colour scale of the charts.
    small = page.evaluate(
        """(px) => [...document.querySelectorAll('.app-present *, .v-toolbar *')]
          .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && e.getBoundingClientRect().width > 0)
          .filter(e => parseFloat(getComputedStyle(e).fontSize) < px).map(e => e.textContent.trim().slice(0, 30))""",
        FONT_PX,
    )
    assert small == []
    assert all(b["fontSize"] is None or b["fontSize"] >= FONT_PX for b in parts if b["kind"] != "grid")
    assert all((b["fontSize"] or 0) >= FONT_PX for b in parts if b["kind"] in ("title", "legend"))
    assert float(page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.week-counter')).fontSize)")) >= 28
    # The toggle leaves presentation mode: the levers come back.
    page.locator(".present-toggle").click()
    page.wait_for_selector(".lever-group")
    assert page.locator(".app-present").count() == 0
    context.close()


def test_no_script_errors(page):
    """Resizing, switching languages and tabs ran without an uncaught error in the page."""
    assert page.errors == []
