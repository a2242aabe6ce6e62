"""The app's address (app/address.py) and lesson mode (app/session.py, app/lessons.py), without a browser (issue 15).

An address is typed by a teacher or built by the class server's "open in live
view" links; it is checked at the boundary exactly as a lever from the page
is, and anything refused leaves the default run with every problem listed.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from classroom_util import tiny_lesson
from conftest import REPO

from app import address, guard, lessons
from app.session import STATUS_QUO, Session
from classroom import load_lesson
from classroom.launch import check_app_url
from classroom.session import live_view_url
from sim import load_scenario

P3 = "p3_admin_burden"


def test_a_good_address_is_read():
    got = address.parse(f"?lesson={P3}&compare=status_quo&step=2&set=government.admin_tasks=40&set=government.platform=true&set=planning.strategy=coverage_max&present=1")
    assert got.problems == []
    assert (got.lesson, got.compare, got.step) == (P3, STATUS_QUO, 1)
    assert got.levers == {"government.admin_tasks": 40, "government.platform": True, "planning.strategy": "coverage_max"}
    assert address.parse("").empty and address.parse("?present=1&charts=gap").empty
    assert address.parse("compare=off&preset=m2_provision").compare is None


def test_the_address_opens_the_lesson_world_with_the_levers_and_the_status_quo():
    session, problems = address.open_session(f"lesson={P3}&compare=status_quo&set=government.admin_tasks=40&set=government.platform=true")
    lesson = lessons.available()[P3]
    assert problems == [] and session.lesson is lesson and session.compare == STATUS_QUO
    assert session.seed == lesson.spec.seed and session.world["steps"] == lesson.spec.horizon
    mine, quo = session.model.scenario, session.other.scenario
    assert (mine.government.admin_tasks, mine.government.platform) == (40, True)
    assert (quo.government.admin_tasks, quo.government.platform) == (lesson.base.government.admin_tasks, lesson.base.government.platform)
    for run in (mine, quo):  # the lesson's world (its set:), in both runs
        assert (run.world.residents, run.world.rural_communities, run.world.urban_communities) == (2000, 8, 2)
    session.step(2)
    assert session.other.steps == 2


def test_a_preset_and_a_world_lever_in_the_address_apply_to_both_runs():
    session, problems = address.open_session("preset=m2_provision&compare=status_quo&set=world.residents=3000&set=seed=7&set=government.admin_tasks=20")
    assert problems == []
    assert session.model.scenario.world.residents == session.other.scenario.world.residents == 3000
    assert session.seed == 7 and session.levers == {"government.admin_tasks": 20}
    assert session.other.scenario.government.admin_tasks == 50  # m2_provision's own value: the status quo of the preset


HOSTILE = [
    ("set=government.admin_tasks=5000", "out of range"),
    ("set=no.such_key=1", "unknown key"),
    ("set=government.admin_tasks=[1,2]", "a list value refused"),
    ("set=government.platform=" + quote("{a: 1}"), "a dict value refused"),
    ("set=government.admin_tasks=1e999", "not a finite number"),
    ("set=government.admin_tasks=" + quote("!!python/object/apply:os.system ['true']"), "not allowed"),
    ("set=government.admin_tasks", "expected key=value"),
    ("set=world.residents=10000000", "outside the app's range"),
    ("set=seed=-1", "not a valid seed"),
    ("set=government.admin_tasks=40&set=government.admin_tasks=50", "set twice"),
    ("lesson=../../etc/passwd", "not a lesson of this app"),
    ("preset=../scenarios/baseline", "not a shipped scenario"),
    (f"lesson={P3}&compare=city", "cannot be compared here"),
    (f"lesson={P3}&step=0", "not a step of the lesson"),
    (f"lesson={P3}&lesson=urban_rural_gap", "given 2 times"),
    ("set=planning.strategy=" + "x" * 300, "text of 300 characters"),
    ("set=a=1&" * 70, "too many parameters"),
    ("set=government.admin_tasks=4" + "0" * 5000, "characters (allowed: at most 4,000)"),
]


@pytest.mark.parametrize(("query", "phrase"), HOSTILE, ids=[q[:30] for q, _ in HOSTILE])
def test_a_hostile_address_is_refused_and_the_default_run_shown(query, phrase):
    session, problems = address.open_session(query)
    assert problems and phrase in " ".join(problems), problems
    assert all("\n" not in line for line in problems)  # one line each
    assert (session.preset, session.lesson, session.compare, session.levers) == ("baseline", None, None, {})
    assert session.model.scenario.government.admin_tasks == 100
    guard.release(session)


def test_language_from_the_address():
    assert address.language("?lang=zh&lesson=x") == "zh"
    assert address.language("lang=fr") is None and address.language("") is None


def test_the_class_servers_link_opens_the_package_side_by_side_with_the_status_quo():
    """What `run.py classroom` links to is what the app opens: the package's levers, the status quo, the lesson's world."""
    package = {"government.admin_tasks": 45, "government.platform": True, "planning.strategy": "population_weighted", "government.purchase_share": 0.15}
    url = live_view_url("http://127.0.0.1:8765/", P3, package)
    assert url.startswith("http://127.0.0.1:8765/?lesson=p3_admin_burden&compare=status_quo&set=")
    session, problems = address.open_session(url.split("?", 1)[1])
    assert problems == [] and session.levers == package and session.compare == STATUS_QUO
    assert session.model.scenario.planning.strategy == "population_weighted" and session.other.scenario.government.platform is False


@pytest.mark.parametrize("url", ["ftp://x/", "127.0.0.1:8765", "http://", "http://h/?a=1", "http://h /", "javascript:alert(1)"])
def test_a_bad_app_url_is_refused(url):
    assert "--app-url" in check_app_url(url)
    assert check_app_url("http://127.0.0.1:8765/") is None and check_app_url("") is None


# -- lesson mode -------------------------------------------------------------------


def test_the_shipped_lessons_are_available():
    assert set(lessons.available()) == {"p3_admin_burden", "m4_volunteers", "urban_rural_gap"}


def test_a_lesson_given_to_run_py_ui_replaces_a_shipped_one(tmp_path, monkeypatch):
    path = tiny_lesson(tmp_path, residents=2000)
    monkeypatch.setenv(lessons.ENV, str(path))
    assert lessons.available()[P3].path == path
    monkeypatch.delenv(lessons.ENV)
    assert lessons.available()[P3].path == REPO / "lessons" / "p3_admin_burden.yaml"


def test_lesson_steps_advance_and_apply_their_presets():
    lesson = load_lesson(REPO / "lessons" / "p3_admin_burden.yaml")
    session = Session("baseline", residents=2000)
    assert session.follow_lesson(lesson) == []
    assert session.step_index == 0 and session.levers == {} and session.compare == STATUS_QUO
    session.step(3)
    assert session.go_to_step(1) == []
    assert session.week == 0 and session.levers == {"government.admin_tasks": 40}  # restarted, the step's preset applied
    assert session.model.scenario.government.admin_tasks == 40 and session.other.scenario.government.admin_tasks == 100
    assert session.go_to_step(2) == []
    assert session.levers == {"government.platform": True, "government.purchase_share": 0.3}  # steps are not cumulative
    assert session.model.scenario.government.admin_tasks == 100
    assert session.go_to_step(3) == ["<app>:1:1: step: 4 is not a step of this lesson (allowed: 1 to 3)"]
    assert session.step_index == 2
    with pytest.raises(KeyError, match="allowed: status_quo"):
        session.set_compare("city")  # another district would not share the lesson's world
    session.choose_preset("baseline")  # leaving the lesson restores the preset's world
    assert session.lesson is None and session.model.scenario.world.rural_communities == load_scenario(REPO / "scenarios" / "baseline.yaml").world.rural_communities != 8


def test_a_step_whose_preset_the_app_refuses_changes_nothing(tmp_path):
    text = (REPO / "lessons" / "p3_admin_burden.yaml").read_text(encoding="utf-8").replace("preset: {government.admin_tasks: 40}", "preset: {government.admin_tasks: 4000}")
    path = tmp_path / "bad_step.yaml"
    path.write_text(text.replace("scenario: ../scenarios/baseline.yaml", f"scenario: {REPO / 'scenarios' / 'baseline.yaml'}"), encoding="utf-8")
    session = Session(lesson=load_lesson(path))
    problems = session.go_to_step(1)
    assert len(problems) == 1 and "government.admin_tasks: 4000 is out of range" in problems[0]
    assert session.step_index == 0 and session.levers == {}


def test_run_py_ui_refuses_a_bad_lesson_file(tmp_path):
    from conftest import run_cli

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Bad Name\n", encoding="utf-8")
    done = run_cli("ui", "--lesson", str(bad), "--port", "1")
    assert done.returncode == 2 and "bad.yaml:1:" in done.stderr and "name" in done.stderr
