"""Lesson files (classroom.lesson): the shipped lessons load; malformed ones give one-line errors at the right line."""

from __future__ import annotations

import pytest
from classroom_util import lesson_text
from conftest import REPO, parse_error_line, run_cli

from classroom import LessonError, load_lesson

SHIPPED = sorted((REPO / "lessons").glob("*.yaml"))


def test_three_lessons_ship_and_load():
    assert {p.stem for p in SHIPPED} >= {"p3_admin_burden", "m4_volunteers", "urban_rural_gap"}
    for path in SHIPPED:
        lesson = load_lesson(path)
        assert lesson.cost(lesson.status_quo()) == 0
        assert all(s.question.zh and s.question.en and s.notes.zh for s in lesson.spec.steps)
        assert "notes" not in lesson.public()["steps"][0]  # teacher notes stay with the teacher


#: (edit of the tiny lesson's text, the key the error names, a fragment of the message, text on the line it points at)
MALFORMED = [
    ("budget: 100", "budget: -5", "budget", "greater than 0", "budget"),
    ("horizon: 8", "horizon: 1000", "horizon", "less than or equal", "horizon"),
    ("  - key: government.admin_tasks", "  - key: government.admin_taskz", "levers[0].key", "not a scenario key", "admin_taskz"),
    ("    min: 20\n", "    min: -20\n", "levers[0].min", "outside what government.admin_tasks accepts", "min: -20"),
    ("    max: 100\n", "    max: 10\n", "levers[0].max", "must be above min", "max: 10"),
    ("values: [ad_hoc, population_weighted, coverage_max]", "values: [ad_hoc, nearest]", "levers[2].values[1]", "not a choice of planning.strategy", "nearest"),
    ("outcomes: [coverage,", "outcomes: [happiness,", "outcomes[0]", "not an outcome", "happiness"),
    ("    preset: {government.admin_tasks: 40}", "    preset: {government.admin_tasks: 40, government.bogus: 1}", "steps[1].preset.government.bogus", "not a scenario key", "bogus"),
    ("  zh: \"任务太多", "  zhh: \"任务太多", "title.zhh", "unknown key", "zhh"),
    ("budget_unit:", "budget_units:", "budget_units", "unknown key", "budget_units"),
    ("name: p3_admin_burden", "name: P3 Admin!", "name", "allowed: lower-case", "name:"),
    ("seed: 2015", "seed: 2015\nseed: 7", "seed", "duplicate key", "seed: 7"),
    ("  world.rural_communities: 4", "  world.rural_communities: -4", "scenario", "the scenario does not load", "scenario:"),
    ("    cost_on: 30", "    cost_on: 30\n    min: 0", "levers[1].key", "on/off lever takes no min", "government.platform"),
    ("    min: 20\n", "    min: 20\n    typo: 3\n", "levers[0].typo", "unknown key", "typo"),
    ("values: [ad_hoc, population_weighted, coverage_max]", "values: [population_weighted, coverage_max]", "levers[2].values", "status quo", "values:"),
]


@pytest.mark.parametrize(("old", "new", "key", "fragment", "on_line"), MALFORMED, ids=[m[2] + ":" + m[3][:20] for m in MALFORMED])
def test_malformed_lesson_gives_one_line_error(tmp_path, old, new, key, fragment, on_line):
    text = lesson_text()
    assert old in text, old
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(LessonError) as info:
        load_lesson(path)
    lines = info.value.lines()
    hit = [parse_error_line(line) for line in lines if parse_error_line(line)["key"] == key]
    assert hit, lines
    assert fragment in hit[0]["message"], lines
    assert "\n" not in lines[0]
    written = path.read_text(encoding="utf-8").splitlines()[int(hit[0]["line"]) - 1]
    assert on_line in written, (written, lines)


def test_cli_refuses_a_non_loopback_host_without_public():
    done = run_cli("classroom", "--host", "10.1.2.3", "--port", "8799")
    assert done.returncode == 2 and "--public" in done.stderr


def test_cli_refuses_a_bad_lesson_with_status_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(lesson_text().replace("budget: 100", "budget: zero"), encoding="utf-8")
    done = run_cli("classroom", "--lesson", str(path), "--port", "1")
    assert done.returncode == 2
    line = done.stderr.strip().splitlines()[0]
    assert parse_error_line(line)["key"] == "budget"
