"""The class server and the teaching app together, in headless Chromium (issue 15).

Both servers are the real ones on free loopback ports: ``run.py classroom``
(a tiny copy of the P3 lesson, ``--app-url`` pointing at the app) and the
app's solara server with that lesson file (``APP_LESSONS``, as ``run.py ui
--lesson`` passes it). The teacher's "open in live view" link must open the
app on the lesson's world with the team's levers, side by side with the
status quo; the app must follow the lesson's steps on its own.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request

import pytest
from classroom_util import tiny_lesson
from conftest import REPO
from test_app_browser import CHART_OPTION, CHROMIUM, CHROMIUM_ARGS, chart_option, free_port, served_app, wait_slider, wait_week

from app.launch import server_env
from app.lessons import ENV

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh --dev)")]
ALPHA = {"government.admin_tasks": 40, "government.platform": True}  # cost 90
BETA = {"planning.strategy": "coverage_max"}  # cost 20


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(app URL, join URL, code, teacher URL): the app and ``run.py classroom`` linked to it; both stopped after the module."""
    folder = tmp_path_factory.mktemp("live")
    lesson = tiny_lesson(folder, residents=2000)  # the app's smallest world
    with (folder / "app.log").open("w") as log, served_app(log, env={ENV: str(lesson)}) as app_url:
        cmd = [sys.executable, "run.py", "classroom", "--port", str(free_port()), "--lesson", str(lesson), "--workers", "1", "--app-url", app_url]
        process = subprocess.Popen(cmd, cwd=REPO, env=server_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            printed, deadline = "", time.monotonic() + 90
            while "Teacher (keep private)" not in printed and time.monotonic() < deadline and process.poll() is None:
                printed += process.stdout.readline()
            assert f"Live view links open: {app_url}" in printed
            join = re.search(r"Students open: (\S+)", printed).group(1)
            code = re.search(r"Class code: +(\w{6})", printed).group(1)
            teacher = re.search(r"Teacher \(keep private\): (\S+)", printed).group(1)
            yield app_url, join, code, teacher
        finally:
            process.terminate()
            process.wait(timeout=15)


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def dashed_series(page, name: str) -> list[str]:
    option = chart_option(page, name)
    return [s["name"] for s in option["series"] if s["lineStyle"]["type"] == "dashed"] if option else []


def test_the_teachers_link_opens_the_package_beside_the_status_quo(servers, browser):
    app_url, join, code, teacher_url = servers
    for name, package in (("Alpha", ALPHA), ("Beta", BETA)):  # two students, by the page's own API
        key = post(join + "api/join", {"code": code, "team": name})["key"]
        post(join + "api/submit", {"key": key, "package": package})
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    teacher = context.new_page()
    teacher.set_default_timeout(60_000)
    teacher.goto(teacher_url)
    teacher.wait_for_function("document.getElementById('code').textContent.length === 6")
    teacher.click("#close")
    teacher.wait_for_selector("table.board")
    assert teacher.locator("a.live-link").count() == 0  # no links before the choices are revealed
    teacher.click("#reveal")
    teacher.wait_for_selector("a.live-link[data-team='Alpha']")
    assert teacher.locator("tr[data-team='status quo'] a.live-link").count() == 0
    link = teacher.locator("a.live-link[data-team='Alpha']")
    assert link.get_attribute("href").startswith(app_url + "?lesson=p3_admin_burden&compare=status_quo&")
    with context.expect_page() as opened:
        link.click()
    app = opened.value
    app.set_default_timeout(60_000)
    app.wait_for_selector(".week-counter")
    wait_slider(app, "Admin tasks pushed down", ": 40 tasks")  # the team's levers
    assert app.get_by_label("Information platform [M1, P3]").is_checked()
    wait_slider(app, "Residents (agents)", ": 2000")  # the lesson's world
    wait_slider(app, "Horizon (weeks)", ": 8 weeks")  # the lesson's horizon, below the slider's usual 13 (a clamping slider used to send 13 back)
    app.wait_for_selector(".lever-applied")
    assert "From the address" in app.locator(".lever-applied").inner_text()
    assert "status quo" in app.locator(".compare-select").inner_text()
    assert "Step 1 of 3" in app.locator(".lesson-card").inner_text()
    for n in (1, 2):
        app.locator(".btn-step").click()
        wait_week(app, n)
    app.wait_for_function(f"() => {{ const o = ({CHART_OPTION})('difference'); return o && o.series[0].data.length === 2; }}")
    assert dashed_series(app, "coverage")  # the status quo drawn dashed beside the package
    admin = next(s["data"] for s in chart_option(app, "difference")["series"] if s["name"] == "Δ committee time on admin")
    assert all(d < 0 for d in admin)  # 40 tasks against the status quo's 100
    context.close()


def test_the_app_follows_a_lesson_step_by_step(servers, browser):
    app_url = servers[0]
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(app_url + "?lesson=p3_admin_burden")
    page.wait_for_selector(".lesson-card")
    card = page.locator(".lesson-card")
    assert "Step 1 of 3: The status quo" in card.inner_text() and "What share of residents' needs" in card.inner_text()
    assert "Teacher notes" in card.inner_text() and "the status quo (no lever changed)" in card.inner_text()
    wait_slider(page, "Admin tasks pushed down", ": 100 tasks")
    page.locator(".btn-step").click()
    wait_week(page, 1)
    page.locator(".lesson-next").click()
    page.wait_for_function("() => document.querySelector('.lesson-card').innerText.includes('Step 2 of 3')")
    wait_slider(page, "Admin tasks pushed down", ": 40 tasks")  # the step's preset, applied to the live run
    wait_week(page, 0)  # restarted from week 0
    assert "government.admin_tasks = 40" in card.inner_text()
    page.locator(".lesson-next").click()
    page.wait_for_function("() => document.querySelector('.lesson-card').innerText.includes('Step 3 of 3')")
    wait_slider(page, "Admin tasks pushed down", ": 100 tasks")  # steps are not cumulative
    wait_slider(page, "Services bought from NGOs", ": 0.3 share")
    assert page.get_by_label("Information platform [M1, P3]").is_checked()
    assert page.locator(".lesson-next").is_disabled()
    page.locator(".lesson-prev").click()
    page.wait_for_function("() => document.querySelector('.lesson-card').innerText.includes('Step 2 of 3')")
    wait_slider(page, "Admin tasks pushed down", ": 40 tasks")
    page.locator(".lang-toggle").get_by_text("中文").click()
    page.wait_for_function("() => document.querySelector('.lesson-card').innerText.includes('第 2 步（共 3 步）')")
    assert "如果居委会只承担40项" in card.inner_text()
    page.close()


def test_a_hostile_address_shows_the_default_run_and_the_reason(servers, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(servers[0] + "?lesson=p3_admin_burden&set=government.admin_tasks=5000&set=government.platform=true")
    page.wait_for_selector(".lever-refused")
    text = page.locator(".lever-refused").inner_text()
    assert "government.admin_tasks: 5000 is out of range" in text
    assert page.locator(".lesson-card").count() == 0  # the default run: baseline, no lesson, no comparison
    assert "m2_provision" not in page.locator(".preset-select").inner_text() and "baseline" in page.locator(".preset-select").inner_text()
    assert not page.get_by_label("Information platform [M1, P3]").is_checked()
    page.close()
