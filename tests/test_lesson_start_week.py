"""A lesson with ``start_week`` (issue 12): the app restores its status quo's snapshot for every step; lessons validate it."""

from __future__ import annotations

import html

import pandas as pd
import pytest
from classroom_util import lesson_text
from conftest import parse_error_line

import sim
from app.session import STATUS_QUO, Session
from classroom import LessonError, load_lesson

WEEK = 3  # of the tiny lesson's 8


@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    path = tmp_path_factory.mktemp("lesson") / "tiny_start.yaml"
    path.write_text(lesson_text() + f"start_week: {WEEK}\n", encoding="utf-8")
    return load_lesson(path)


def expected(lesson, levers: dict) -> tuple[pd.DataFrame, int]:
    """The lesson's world run WEEK weeks, then ``levers`` switched on with set_levers, then to the horizon (no snapshot)."""
    model = sim.CommunityModel(lesson.base, rng=lesson.spec.seed)
    model.run(steps=WEEK)
    if levers:
        model.set_levers(levers)
    return model.run().outcome_frame(), model.steps


def test_a_step_restored_from_the_snapshot_equals_a_run_switched_at_the_start_week(lesson):
    s = Session(lesson=lesson, compare=STATUS_QUO)
    assert s.go_to_step(2) == []
    preset = dict(lesson.spec.steps[2].preset)
    assert preset and s.week == WEEK and s.other.steps == WEEK
    history = s.frame()
    assert list(history.index) == list(range(1, WEEK + 1))  # the burnt-in weeks are on the charts from week 1
    pd.testing.assert_frame_equal(history, s.frame("other"))  # the same status quo up to the start week
    assert s.set_lever("government.admin_tasks", 55) == []  # your lever on top of the step's preset
    s.reset()  # restores the snapshot and switches the preset and your lever on at the start week
    assert s.week == WEEK
    s.step(lesson.spec.horizon)
    mine, steps = expected(lesson, {**preset, "government.admin_tasks": 55})
    pd.testing.assert_frame_equal(s.frame(), mine)
    assert s.week == steps == lesson.spec.horizon
    quo, _ = expected(lesson, {})
    pd.testing.assert_frame_equal(s.frame("other"), quo)  # the comparison: the same snapshot without your levers
    assert not s.frame().equals(s.frame("other"))


def test_step_changes_restore_the_snapshot_without_building_a_model(lesson, monkeypatch):
    s = Session(lesson=lesson, compare=STATUS_QUO)
    assert s.burn_in.builds == 1
    first = s.burn_in.snapshot
    built = []
    init = sim.CommunityModel.__init__

    def counting(self, *args, **kwargs):
        built.append(args)
        init(self, *args, **kwargs)

    monkeypatch.setattr(sim.CommunityModel, "__init__", counting)
    for index in (1, 2, 0):
        assert s.go_to_step(index) == []
        assert s.week == WEEK
    s.step(2)
    s.reset()
    assert s.week == WEEK and built == [] and s.burn_in.builds == 1 and s.burn_in.snapshot is first
    # another seed (or world) is burnt in once; the session keeps one snapshot
    assert s.set_lever("seed", 5) == []
    s.reset()
    assert len(built) == 1 and s.burn_in.builds == 2 and s.burn_in.snapshot is not first and s.burn_in.key[3] == 5
    # leaving the lesson drops the snapshot; without a start week runs start at week 0 as before
    s.choose_preset("baseline")
    assert s.burn_in.snapshot is None and s.week == 0 and s.frame().empty


def test_without_a_start_week_a_step_starts_at_week_zero(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(lesson_text(), encoding="utf-8")
    s = Session(lesson=load_lesson(path), compare=STATUS_QUO)
    assert s.go_to_step(1) == []
    assert s.week == 0 and s.frame().empty and s.burn_in.builds == 0 and s.burn_in.snapshot is None


def test_a_horizon_before_the_start_week_is_refused(lesson):
    s = Session(lesson=lesson, compare=STATUS_QUO)
    problems = s.set_lever("steps", WEEK)
    assert len(problems) == 1 and "start week" in problems[0] and "\n" not in problems[0]
    assert s.set_lever("steps", WEEK + 1) == [] and s.model.scenario.steps == WEEK + 1


#: (edits of the tiny lesson's text, the key the error names, a fragment of the message, text on the line it points at)
MALFORMED = [
    ({"horizon: 8": "horizon: 8\nstart_week: 8"}, "start_week", "not below the horizon", "start_week: 8"),
    ({"horizon: 8": "horizon: 8\nstart_week: -1"}, "start_week", "greater than or equal to 0", "start_week: -1"),
    ({"horizon: 8": "horizon: 8\nstart_week: true"}, "start_week", "valid integer", "start_week: true"),
    ({"horizon: 8": "horizon: 8\nstart_week: 2.5"}, "start_week", "valid integer", "start_week: 2.5"),
    (
        {"horizon: 8": "horizon: 8\nstart_week: 2", "    preset: {government.admin_tasks: 40}": "    preset: {government.admin_tasks: 40, world.residents: 900}"},
        "steps[1].preset.world.residents",
        "cannot change at start_week 2",
        "world.residents: 900",
    ),
    (
        {"horizon: 8": "horizon: 8\nstart_week: 2", "  - key: government.admin_tasks": "  - key: world.residents"},
        "levers[0].key",
        "shapes the built world",
        "world.residents",
    ),
]


@pytest.mark.parametrize(("edits", "key", "fragment", "on_line"), MALFORMED, ids=[m[1] + ":" + m[2][:20] for m in MALFORMED])
def test_a_malformed_start_week_gives_one_line_error(tmp_path, edits, key, fragment, on_line):
    text = lesson_text()
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LessonError) as info:
        load_lesson(path)
    lines = info.value.lines()
    hit = [parse_error_line(line) for line in lines if parse_error_line(line)["key"] == key]
    assert hit, lines
    assert fragment in hit[0]["message"], lines
    assert all("\n" not in line for line in lines)
    written = path.read_text(encoding="utf-8").splitlines()[int(hit[0]["line"]) - 1]
    assert on_line in written, (written, lines)


def card_html(session: Session) -> str:
    """The HTML of the lesson card's body, rendered by solara without a browser."""
    import solara

    from app import lesson_view

    box, _ = solara.render(lesson_view.LessonCard(session, "en", 0, lambda problems, text: None), handle_error=False)
    found, todo = [], [box]
    while todo:
        widget = todo.pop()
        found.append(str(getattr(widget, "unsafe_innerHTML", "") or ""))
        todo += [c for c in getattr(widget, "children", []) if not isinstance(c, str)]
    return "".join(found)


def test_the_step_card_says_the_district_has_run_to_the_start_week(lesson, tmp_path):
    s = Session(lesson=lesson, compare=STATUS_QUO)
    shown = html.unescape(card_html(s))
    assert f"The district has run {WEEK} weeks as it is; this step's levers act from week {WEEK + 1}." in shown
    path = tmp_path / "tiny.yaml"
    path.write_text(lesson_text(), encoding="utf-8")
    plain = card_html(Session(lesson=load_lesson(path), compare=STATUS_QUO))
    assert "lesson-question" in plain and "lesson-start" not in plain


def test_an_address_opens_a_start_week_lesson_with_its_levers_at_the_start_week(lesson, monkeypatch):
    from app import lessons
    from app.address import open_session

    monkeypatch.setenv(lessons.ENV, str(lesson.path))  # as run.py ui --lesson passes a file
    session, problems = open_session("?lesson=p3_admin_burden&set=government.admin_tasks=40")
    assert problems == []
    assert session.lesson.path == lesson.path and session.burn_in.builds == 1
    assert session.week == WEEK and session.other.steps == WEEK and len(session.frame()) == WEEK
    assert session.value("government.admin_tasks") == 40
    assert session.other.scenario.government.admin_tasks == lesson.base.government.admin_tasks != 40  # the comparison: the status quo
