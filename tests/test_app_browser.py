"""The teaching app in headless Chromium (Playwright), against ``run.py ui``'s server on loopback.

One server and one page serve the whole module; the tests run in file order
and each leaves the page where the next one starts (a class at a time would
restart the server for every test, at ~10 s each). Debian's Chromium is
used, as Playwright's own browser download does not work offline.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from app.launch import server_command, server_env

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: Seconds allowed for the server to start and for the first page load.
START_TIMEOUT = 90

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh --dev)"),
]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = START_TIMEOUT) -> None:
    """Block until the server accepts connections; fail if it dies or takes too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app server exited with status {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"the app server did not listen on port {port} within {timeout} s")


@contextlib.contextmanager
def served_app(log=subprocess.DEVNULL, env: dict[str, str] | None = None) -> Iterator[str]:
    """``run.py ui``'s server on a free loopback port, for a test, a benchmark or a script: yields its URL, then stops it.

    ``env``: more environment for the server (e.g. ``APP_LESSONS``, as ``run.py ui --lesson`` sets it).
    """
    port = free_port()
    process = subprocess.Popen(server_command("127.0.0.1", port), env={**server_env(), **(env or {})}, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app served on a free loopback port; stopped after the module."""
    with (tmp_path_factory.mktemp("app") / "server.log").open("w") as log, served_app(log) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    """One browser page on the app, shared by the module's tests in order."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        # Uncaught script errors and console errors, checked by the module's last test.
        tab.script_errors = []
        tab.on("pageerror", lambda error: tab.script_errors.append(f"uncaught: {error}"))
        tab.on("console", lambda message: message.type == "error" and tab.script_errors.append(f"console: {message.text}"))
        tab.goto(server)
        yield tab
        context.close()
        browser.close()


#: The option of one chart as the browser holds it. The page has two ECharts
#: instances, `app.map_charts.overview` (map, groups) and `app.charts.panel` (the
#: time series); a chart is found in them by its title's and series' ids.
CHART_OPTION = """(name) => {
  for (const el of document.querySelectorAll('.solara-echarts')) {
    if (!el.__vue__ || !el.__vue__.chart) continue;
    const o = el.__vue__.chart.getOption();
    const series = (o.series || []).filter(s => String(s.id).startsWith(name + '/'));
    if (series.length) return {title: o.title.filter(t => t.id === name), series: series};
  }
  return null;
}"""


def chart_option(page, name: str) -> dict | None:
    """The ECharts option of one chart (title, series...), or None before it is drawn."""
    return json.loads(page.evaluate(f"(name) => JSON.stringify(({CHART_OPTION})(name))", name))


def chart_data(page, name: str, series: int = 0) -> list | None:
    """The data of one series of a live chart, as the browser holds it."""
    option = chart_option(page, name)
    return option["series"][series]["data"] if option else None


def wait_chart_length(page, name: str, n: int) -> None:
    """Wait until the first series of chart ``name`` has ``n`` weeks."""
    page.wait_for_function(f"(name) => {{ const o = ({CHART_OPTION})(name); return o && o.series[0].data.length === {n}; }}", arg=name)


def week(page) -> str:
    return page.locator(".week-counter").inner_text()


def wait_week(page, n: int) -> None:
    page.wait_for_function("(n) => { const el = document.querySelector('.week-counter'); return el && new RegExp('\\\\b' + n + '\\\\b').test(el.innerText); }", arg=n)


def wait_slider(page, label: str, text: str) -> None:
    """Wait until the input labelled ``label`` shows ``text`` (the server's value)."""
    page.wait_for_function(
        "([label, text]) => [...document.querySelectorAll('.v-input')].some(e => e.innerText.includes(label) && e.innerText.includes(text))",
        arg=[label, text],
    )


def choose(page, select_class: str, option_text: str) -> None:
    """Pick an option of a vuetify select by its visible text."""
    page.locator(f".{select_class}").click()
    page.locator(".menuable__content__active .v-list-item", has_text=option_text).first.click()


def test_page_loads(page):
    page.wait_for_selector(".week-counter")
    wait_week(page, 0)
    assert "Week 0" in week(page)
    page.wait_for_function("() => document.querySelectorAll('.solara-echarts').length >= 2")  # overview, panel
    page.wait_for_function(f"() => ({CHART_OPTION})('map') !== null && ({CHART_OPTION})('groups') !== null")
    assert page.get_by_text("Policy preset").count() >= 1
    assert page.locator(".explanations").get_by_text("Admin tasks pushed down").count() == 1


def test_preset_is_chosen(page):
    choose(page, "preset-select", "m2_provision")
    page.wait_for_function("() => document.querySelector('.preset-select').innerText.includes('m2_provision')")
    wait_slider(page, "Services bought from NGOs", ": 0.25 share")  # the preset's levers are shown
    assert "Week 0" in week(page)


def test_slider_moves_and_is_applied(page):
    field = page.locator(".v-input", has_text="Admin tasks pushed down")
    wait_slider(page, "Admin tasks pushed down", ": 50 tasks")  # m2_provision's value
    for expected in (45, 40, 35, 30):  # one key press moves the slider one step (5 tasks)
        field.locator("[role=slider]").focus()
        field.locator("[role=slider]").press("ArrowLeft")
        wait_slider(page, "Admin tasks pushed down", f": {expected} tasks")
    applied = page.locator(".lever-applied").inner_text()
    assert "Admin tasks pushed down = 30" in applied


def test_steps_run_and_the_charts_change(page):
    before = chart_data(page, "coverage")
    for n in (1, 2, 3):
        page.locator(".btn-step").click()
        wait_week(page, n)
    wait_chart_length(page, "coverage", 3)
    after = chart_data(page, "coverage")
    assert before != after and len(after) == 3
    assert all(0 <= v <= 1 for v in after)
    admin = chart_data(page, "admin")
    assert len(admin) == 3


def test_play_and_pause(page):
    page.locator(".btn-play").click()
    page.wait_for_function("() => { const m = document.querySelector('.week-counter').innerText.match(/Week (\\d+)/); return m && +m[1] >= 5; }")
    page.locator(".btn-pause").click()
    page.wait_for_selector(".btn-step:not([disabled])")
    # After the pause the counter shows the week the charts show (it used to fall back to the text at page load).
    page.wait_for_timeout(500)
    weeks = len(chart_data(page, "coverage"))
    assert weeks >= 5
    wait_week(page, weeks)
    assert f"Week {weeks} " in week(page)


def test_side_by_side_shows_two_runs(page):
    choose(page, "compare-select", "baseline")
    page.wait_for_selector(".compare-note")
    for n in (1, 2):
        page.locator(".btn-step").click()
        wait_week(page, n)
    wait_chart_length(page, "difference", 2)
    option = chart_option(page, "coverage")
    # The comparison's series share your series' names (one legend entry each, a compact legend), drawn dashed.
    dashed = [s["name"] for s in option["series"] if s["lineStyle"]["type"] == "dashed"]
    solid = [s["name"] for s in option["series"] if s["lineStyle"]["type"] != "dashed"]
    assert len(option["series"]) == 8 and dashed == solid and len(set(solid)) == 4
    table = page.locator(".now-table").inner_text()
    assert "your policy" in table and "comparison" in table
    # m2_provision with 30 admin tasks against the baseline's 100: less committee time on admin.
    admin_diff = next(s["data"] for s in chart_option(page, "difference")["series"] if s["name"] == "Δ committee time on admin")
    assert all(d < 0 for d in admin_diff)


def test_out_of_range_value_is_refused_with_a_message(page):
    box = page.get_by_label("Set any lever (key=value)")
    box.fill("government.admin_tasks=5000")
    page.locator(".any-lever-apply").click()
    page.wait_for_selector(".lever-refused")
    text = page.locator(".lever-refused").inner_text()
    assert "government.admin_tasks" in text and "out of range" in text and "[0, 1000]" in text


def test_exported_yaml_validates(page, tmp_path):
    with page.expect_download() as info:
        page.get_by_text("Settings (scenario YAML)").click()
    path = tmp_path / "exported.yaml"
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert "admin_tasks: 30" in text
    done = run_cli("validate", str(path))
    assert done.returncode == 0, done.stderr
    with page.expect_download() as info:
        page.get_by_text("Run data (CSV)").click()
    csv = tmp_path / "run.csv"
    info.value.save_as(csv)
    assert csv.read_text().startswith("step,run,scenario,seed,coverage")


def test_map_colouring_and_comparison_off(page):
    """The map recolours by satisfaction; switching the comparison off drops its series and the difference chart."""
    page.locator(".colour-toggle").get_by_text("satisfaction").click()
    page.wait_for_function(f"() => {{ const o = ({CHART_OPTION})('map'); return o && o.title[0].text.endsWith('satisfaction'); }}")
    points = chart_data(page, "map", 1)  # villages: [x, y, colour value, residents, index]
    assert all(0 <= p["value"][2] <= 1 for p in points)
    choose(page, "compare-select", "(off)")
    page.wait_for_function(f"() => ({CHART_OPTION})('difference') === null")
    page.wait_for_function(f"() => {{ const o = ({CHART_OPTION})('coverage'); return o && o.series.length === 4; }}")
    assert page.locator(".compare-note").count() == 0
    page.wait_for_function("() => document.querySelector('.chart-panel').clientHeight < 700")  # two rows of charts, no difference row


def test_chinese_labels(page):
    page.locator(".lang-toggle").get_by_text("中文").click()
    for label in ("政策预设", "单步", "下派行政事务数", "杠杆的含义", "M2 政府提供", "并排比较：对照政策", "需求覆盖率"):
        page.wait_for_function("(label) => document.body.innerText.includes(label)", arg=label)
    assert "Policy preset" not in page.locator("body").inner_text()
    page.wait_for_function(f"() => {{ const o = ({CHART_OPTION})('coverage'); return o && o.title[0].text === '覆盖率'; }}")
    assert chart_option(page, "map")["title"][0]["text"].startswith("社区地图")
    if os.environ.get("APP_SCREENSHOT"):
        page.screenshot(path=os.environ["APP_SCREENSHOT"], full_page=True)


def test_chart_benchmark_runs_and_prints_every_arrangement():
    """benchmarks/bench_app_charts.py (the figures behind the panel in docs/app.md) cannot rot."""
    done = subprocess.run([sys.executable, "benchmarks/bench_app_charts.py", "--weeks", "3", "--rounds", "1", "--repeat", "1"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for line in ("seven instances", "one panel", "panel, legends hidden", "overview without visual map", "one panel / seven instances"):
        assert line in done.stdout


def test_no_script_errors(page):
    """Everything the tests above did ran without an uncaught error or a console error in the page."""
    assert page.script_errors == []
