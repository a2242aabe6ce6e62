"""``run.py classroom`` in headless Chromium: a teacher and three students, each in its own browser context.

The server is the real command (a subprocess on a free loopback port, a tiny
copy of the P3 lesson, one worker); the test reads the join address, the code
and the teacher's address from what it prints, as a teacher would.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import time

import pytest
from classroom_util import tiny_lesson
from conftest import REPO
from test_app_browser import CHROMIUM, CHROMIUM_ARGS, free_port

from app.launch import server_env

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh --dev)")]
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """``run.py classroom`` on loopback: yields (join URL, code, teacher URL), then stops it."""
    lesson = tiny_lesson(tmp_path_factory.mktemp("lesson"))
    port = free_port()
    cmd = [sys.executable, "run.py", "classroom", "--port", str(port), "--lesson", str(lesson), "--workers", "1"]
    process = subprocess.Popen(cmd, cwd=REPO, env=server_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        printed, deadline = "", time.monotonic() + 90
        while "Teacher (keep private)" not in printed and time.monotonic() < deadline and process.poll() is None:
            printed += process.stdout.readline()
        join = re.search(r"Students open: (\S+)", printed).group(1)
        code = re.search(r"Class code: +(\w{6})", printed).group(1)
        teacher = re.search(r"Teacher \(keep private\): (\S+)", printed).group(1)
        assert join == f"http://127.0.0.1:{port}/" and teacher.startswith(join + "teacher?token=")
        assert "█" in printed  # the QR code
        yield join, code, teacher
    finally:
        process.terminate()
        process.wait(timeout=15)


def board_text(page) -> str:
    """The leaderboard's text, without the teacher's own column of links to the live view."""
    strip = "t => { const c = t.cloneNode(true); c.querySelectorAll('.live').forEach(e => e.remove()); document.body.appendChild(c); const s = c.innerText; c.remove(); return s; }"
    return page.locator("table.board").evaluate(strip)


def wait_round(pages, number: int) -> None:
    for page in pages:
        h3 = "document.querySelector('#board h3')"
        page.wait_for_function(f"{h3} && {h3}.textContent.endsWith(' {number}') && document.querySelector('table.board')", timeout=TIMEOUT_MS)


def set_range(page, key: str, value: float) -> None:
    page.locator(f"input[data-key='{key}']").evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", value)


def test_a_class_plays_two_rounds(classroom):
    join, code, teacher_url = classroom
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        teacher = browser.new_context().new_page()
        teacher.goto(teacher_url)
        teacher.wait_for_function("document.getElementById('code').textContent.length === 6")
        assert teacher.locator("#code").inner_text() == code
        students = [browser.new_context(viewport={"width": 390, "height": 844}).new_page() for _ in range(3)]
        for page, name in zip(students, ["Alpha", "Beta", "Gamma"], strict=True):
            page.goto(join)
            page.fill("#code", code.lower())
            page.fill("#team", name)
            page.click("#join-btn")
            page.wait_for_selector("#play:not([hidden])")
            assert page.locator("#team-name").inner_text() == name
        # refusals in the page: a wrong code, a taken name, an over-budget package
        extra = browser.new_context().new_page()
        extra.goto(join)
        extra.fill("#code", "ZZZZZZ")
        extra.fill("#team", "Delta")
        extra.click("#join-btn")
        extra.wait_for_function("document.getElementById('join-msg').textContent.includes('wrong class code')")
        extra.fill("#code", code)
        extra.fill("#team", "alpha")
        extra.click("#join-btn")
        extra.wait_for_function("document.getElementById('join-msg').textContent.includes('is taken')")
        a, b, g = students
        set_range(a, "government.admin_tasks", 20)
        a.check("input[data-key='government.platform']")
        set_range(a, "government.purchase_share", 0.5)
        a.wait_for_function("document.getElementById('submit-msg').textContent.includes('over budget')")
        a.click("#submit")
        a.wait_for_function("document.getElementById('submit-msg').textContent.includes('over budget')")
        set_range(a, "government.purchase_share", 0.05)
        a.wait_for_function("document.getElementById('cost').textContent === '110'")  # still over: 80 + 30
        set_range(a, "government.admin_tasks", 40)
        a.wait_for_function("document.getElementById('cost').textContent === '90'")
        b.select_option("select[data-key='planning.strategy']", "coverage_max")
        b.wait_for_function("document.getElementById('cost').textContent === '20'")
        for page in students:
            page.click("#submit")
            page.wait_for_function("/(Submitted|已提交)/.test(document.getElementById('submit-msg').textContent)")
        # a student cannot use the teacher's controls or exports
        assert a.request.post(join + "api/teacher/close", data={"token": ""}).status == 403
        assert a.request.get(join + "export/rounds.csv").status == 403
        assert a.request.get(join + "teacher").status == 403
        teacher.click("#close")
        wait_round([teacher, *students], 1)
        boards = {board_text(page) for page in [teacher, *students]}
        assert len(boards) == 1  # the same leaderboard on every screen
        shown = boards.pop()
        # phone-friendly: at 390 px the page itself never scrolls sideways (a wide leaderboard scrolls in its own box)
        assert all(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") for page in students)
        assert all(name in shown for name in ("Alpha", "Beta", "Gamma", "status quo"))
        # a message after the round closed is refused
        assert "round 1 is closed" in a.request.post(join + "api/submit", data={"key": a.evaluate("localStorage.getItem('classroom-key')"), "package": {}}).json()["error"]
        teacher.click("#reveal")
        b.wait_for_function("document.querySelector('td.choices') && document.body.innerText.includes('coverage_max')")
        # a reload rejoins the team
        g.reload()
        g.wait_for_selector("#play:not([hidden])")
        assert g.locator("#team-name").inner_text() == "Gamma"
        # the teacher's guided step sets the question on every student's screen
        second = a.locator("#question").inner_text()
        teacher.click("#next")
        a.wait_for_function(f"document.getElementById('question').textContent !== {second!r}")
        assert a.locator("#question").inner_text() == teacher.locator("#question").inner_text()
        notes = teacher.locator("#notes").inner_text()
        assert notes and notes not in a.content()  # teacher notes never reach a student
        teacher.click("#open")
        a.wait_for_function("!document.getElementById('submit').disabled")
        set_range(a, "government.admin_tasks", 70)
        a.wait_for_function("document.getElementById('cost').textContent === '60'")  # the last package (platform on) plus the new task count
        a.click("#submit")
        a.wait_for_function("document.getElementById('submit-msg').textContent.includes('cost 60')")
        teacher.click("#close")
        wait_round([teacher, *students], 2)
        teacher.select_option("#rewind-to", "1")
        teacher.click("#rewind")
        wait_round([teacher, *students], 1)
        assert len({board_text(page) for page in [teacher, *students]}) == 1
        rows = list(csv.DictReader(io.StringIO(teacher.request.get(join + teacher.locator("#export-csv").get_attribute("href").lstrip("/")).text())))
        assert {r["round"] for r in rows} == {"1", "2"} and {r["team"] for r in rows} >= {"Alpha", "Beta", "Gamma"}
        link = teacher.locator("#packages a").first.get_attribute("href")
        assert "name: p3_admin_burden_t" in teacher.request.get(join + link.lstrip("/")).text()
        page = teacher.request.get(join + teacher.locator("#export-html").get_attribute("href").lstrip("/"))
        assert page.status == 200 and "中文" in page.text() and "Alpha" in page.text()
        browser.close()
