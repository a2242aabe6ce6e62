"""The class session library (classroom.session, classroom.board, classroom.debrief), without a browser."""

from __future__ import annotations

import copy
import csv
import html
import io
import math

import pytest
import yaml
from classroom_util import lesson_text, tiny_lesson

import experiments as ex
import sim
from classroom import ClassSession, Refused, load_lesson
from classroom.debrief import debrief_csv, debrief_html
from sim import load_scenario

A = {"government.admin_tasks": 40, "government.platform": True}  # cost 60 + 30 = 90
B = {"government.purchase_share": 0.5, "planning.strategy": "coverage_max"}  # cost 45 + 20 = 65
C = {"government.admin_tasks": 70}  # cost 30


@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    return load_lesson(tiny_lesson(tmp_path_factory.mktemp("lesson")))


@pytest.fixture(scope="module")
def lesson_w(tmp_path_factory):
    """The tiny lesson whose district runs 3 weeks as it is before the packages take over (start_week)."""
    path = tmp_path_factory.mktemp("lesson_w") / "tiny_start.yaml"
    path.write_text(lesson_text() + "start_week: 3\n", encoding="utf-8")
    return load_lesson(path)


@pytest.fixture(scope="module")
def pool():
    with ex.Local(1) as executor:
        yield executor


def snapshot(s: ClassSession):
    return copy.deepcopy(([(t.name, t.label) for t in s.teams.values()], [(r.number, r.status, r.packages, r.revealed) for r in s.rounds], s.view, s.step))


def played(lesson, pool, packages=(A, B, C)):
    s = ClassSession(lesson, executor=pool)
    keys = [s.join(s.code, name).key for name in ("Alpha", "Beta", "Gamma")[: len(packages)]]
    for key, package in zip(keys, packages, strict=True):
        s.submit(key, package)
    return s, keys


def test_join_code_is_six_characters_and_tokens_differ(lesson):
    a, b = ClassSession(lesson), ClassSession(lesson)
    assert len(a.code) == 6 and a.code.isalnum() and a.code.isupper()
    assert a.token != b.token and len(a.token) >= 16


def test_refusals_leave_the_session_unchanged(lesson, pool):
    s, keys = played(lesson, pool, (A,))
    before = snapshot(s)
    refusals = [
        (lambda: s.join("ZZZZZZ", "Delta"), "wrong class code"),
        (lambda: s.join(s.code, " alpha "), "is taken"),
        (lambda: s.submit(keys[0], {"government.admin_tasks": 20, "government.platform": True, "government.purchase_share": 0.5}), "over budget"),
        (lambda: s.submit(keys[0], {"government.admin_tasks": 5}), "out of range"),
        (lambda: s.submit(keys[0], {"government.admin_tasks": 42.5}), "not a whole number"),
        (lambda: s.submit(keys[0], {"planning.strategy": "equity_first"}), "not a choice"),
        (lambda: s.submit(keys[0], {"world.residents": 10}), "not a lever"),
        (lambda: s.submit("not-a-key", A), "unknown team"),
        (lambda: s.close_round(keys[0]), "teacher"),
        (lambda: s.reveal(""), "teacher"),
        (lambda: s.open_round(s.code), "teacher"),
        (lambda: s.teacher_state("x"), "teacher"),
    ]
    for action, fragment in refusals:
        with pytest.raises(Refused, match=fragment):
            action()
        assert snapshot(s) == before, fragment
    s.close_round(s.token, wait=True)
    after_close = snapshot(s)
    with pytest.raises(Refused, match="round 1 is closed"):
        s.submit(keys[0], C)
    assert snapshot(s) == after_close


@pytest.mark.parametrize("with_start", [False, True], ids=["from week 0", "start_week 3"])
def test_leaderboard_equals_a_compare_of_the_same_packages(lesson, lesson_w, pool, with_start):
    lesson = lesson_w if with_start else lesson
    s, _ = played(lesson, pool)
    s.close_round(s.token, wait=True)
    board = s.rounds[0].board
    spec = lesson.spec
    assert spec.start_week == (3 if with_start else 0)
    scenarios = [load_scenario(lesson.base.source, overrides={**spec.set, "steps": spec.horizon, **p, "name": n}) for n, p in (("status_quo", {}), ("t1", A), ("t2", B), ("t3", C))]
    c = ex.compare(scenarios, reps=spec.replications, seed=spec.seed, outcomes=spec.outcomes, start_week=spec.start_week, executor=pool, progress=False, report=False)
    if with_start:  # the packages took over at week 3: not what they give from week 1
        c0 = ex.compare(scenarios, reps=spec.replications, seed=spec.seed, outcomes=spec.outcomes, executor=pool, progress=False, report=False)
        t1 = [x.summaries.set_index(["scenario", "rep"]).loc["t1", "coverage"].tolist() for x in (c0, c)]
        assert t1[0] != t1[1]
    rows = {r["label"]: r for r in board["rows"]}
    assert set(rows) == {"status_quo", "t1", "t2", "t3"}
    for t in c.table.itertuples():
        got = rows[t.scenario]["outcomes"][t.outcome]
        mine = (got["mean"], got["low"], got["high"], got["diff"], got["diff_low"], got["diff_high"])
        assert mine == pytest.approx((t.mean, t.ci_low, t.ci_high, t.diff_mean, t.diff_ci_low, t.diff_ci_high), rel=1e-12, abs=1e-15)
    # paired differences between teams, from the compare's runs
    runs = c.summaries.set_index(["scenario", "rep"])["coverage"]
    pair = next(p for p in board["pairs"] if {p["a"], p["b"]} == {"t1", "t2"})
    diffs = [runs[(pair["a"], r)] - runs[(pair["b"], r)] for r in range(spec.replications)]
    assert pair["diff"] == pytest.approx(sum(diffs) / len(diffs), rel=1e-12)
    ranked = sorted((r for r in board["rows"] if r["rank"]), key=lambda r: r["rank"])
    assert [r["outcomes"]["coverage"]["mean"] for r in ranked] == sorted((r["outcomes"]["coverage"]["mean"] for r in ranked), reverse=True)
    costs = {r["label"]: r["cost"] for r in board["rows"]}
    assert costs == {"status_quo": 0.0, "t1": 90.0, "t2": 65.0, "t3": 30.0}
    # the frontier: nothing both cheaper (or equal) and better on coverage
    points = {r["label"]: (r["cost"], r["outcomes"]["coverage"]["mean"]) for r in board["rows"]}
    for label, (cost, cov) in points.items():
        beaten = any(c <= cost and v >= cov and (c, v) != (cost, cov) for other, (c, v) in points.items() if other != label)
        assert rows[label]["frontier"] == (not beaten)


def test_a_crashing_package_fails_only_its_row(lesson, pool, monkeypatch):
    real = sim.CommunityModel

    def model(scenario, *args, **kw):
        if scenario.get("name") == "t2":
            raise RuntimeError("boom in the model")
        return real(scenario, *args, **kw)

    monkeypatch.setattr(sim, "CommunityModel", model)
    s, _ = played(lesson, pool)
    s.close_round(s.token, wait=True)
    rows = {r["label"]: r for r in s.rounds[0].board["rows"]}
    assert "boom in the model" in rows["t2"]["error"] and rows["t2"]["outcomes"] == {}
    assert rows["t1"]["error"] is None and math.isfinite(rows["t1"]["outcomes"]["coverage"]["mean"])
    assert rows["t3"]["rank"] is not None and s.rounds[0].error is None
    assert "boom in the model" in debrief_csv(s)


def test_rounds_reveal_rewind_rejoin_and_export(lesson, pool):
    s, keys = played(lesson, pool)
    assert s.state(keys[0])["view"]["board"] is None
    s.close_round(s.token, wait=True)
    one = s.state(keys[1])["view"]
    assert one["board"] and all(r["package"] is None for r in one["board"]["rows"])  # choices hidden
    s.reveal(s.token)
    assert next(r for r in s.state()["view"]["board"]["rows"] if r["team"] == "Beta")["package"]["planning.strategy"] == "coverage_max"
    s.open_round(s.token)
    assert s.state(keys[0])["team"]["package"]["government.admin_tasks"] == 40  # a reload gets the team's last package back
    s.submit(keys[0], C)
    s.close_round(s.token, wait=True)
    assert s.state()["view"]["number"] == 2 and s.state()["rounds"] == [1, 2]
    s.rewind(s.token, 1)
    view = s.state(keys[2])["view"]
    strip = lambda rows: [{k: v for k, v in r.items() if k != "package"} for r in rows]  # noqa: E731
    assert view["number"] == 1 and view["revealed"] and strip(view["board"]["rows"]) == strip(one["board"]["rows"])
    with pytest.raises(Refused, match="cannot be shown"):
        s.rewind(s.token, 7)
    s.open_round(s.token)
    assert s.rounds[-1].packages["t1"] == s.rounds[0].packages["t1"]  # the next round starts from the round on view
    text = s.package_yaml(s.token, "t2")  # round 1 is on view: Beta's package as a scenario file
    scenario = load_scenario(yaml.safe_load(text))
    assert scenario.planning.strategy == "coverage_max" and scenario.government.purchase_share == 0.5 and scenario.world.residents == lesson.base.world.residents
    with pytest.raises(Refused, match="teacher"):
        s.package_yaml(keys[1], "t2")
    rows = list(csv.DictReader(io.StringIO(debrief_csv(s))))
    assert {r["round"] for r in rows} == {"1", "2"}
    assert {r["team"] for r in rows} == {"status quo", "Alpha", "Beta", "Gamma"}
    assert len(rows) == 2 * 4 * len(lesson.spec.outcomes)
    page = debrief_html(s)
    assert "<script src" not in page and "http" not in page.split("<body")[1]
    assert html.escape(lesson.spec.steps[0].question.zh) in page and html.escape(lesson.spec.steps[0].question.en) in page


def test_rewind_while_a_round_is_open(lesson, pool):
    """An open round where nobody sent a package is discarded by a rewind; one with packages refuses it (issue 15)."""
    s, keys = played(lesson, pool)
    s.close_round(s.token, wait=True)
    s.open_round(s.token)
    assert not s.state(keys[0])["team"]["submitted"]  # round 2 holds the kept package, but the team has not sent one yet
    assert not any(t["submitted"] for t in s.teacher_state(s.token)["team_list"])
    note = s.rewind(s.token, 1)
    assert "open round 2" in note and "discarded" in note
    assert [r.number for r in s.rounds] == [1] and s.state()["view"]["number"] == 1 and s.state()["status"] == "done"
    with pytest.raises(Refused, match="round 1 is closed"):
        s.submit(keys[0], C)
    s.open_round(s.token)
    s.submit(keys[1], C)
    before = snapshot(s)
    with pytest.raises(Refused, match="round 2 is open and has packages from Beta; close it to keep them") as refused:
        s.rewind(s.token, 1)
    assert refused.value.status == 409 and snapshot(s) == before
    s.close_round(s.token, wait=True)
    assert s.rewind(s.token, 1) == "round 1 is on view" and [r.number for r in s.rounds] == [1, 2]


def test_live_links_for_the_teacher_once_revealed(lesson, pool):
    s, keys = played(lesson, pool, (A,))
    s.close_round(s.token, wait=True)
    assert s.live_links(s.token, "http://127.0.0.1:8765/") == {}  # choices not revealed yet
    s.reveal(s.token)
    link = s.live_links(s.token, "http://127.0.0.1:8765/")["t1"]
    assert link.startswith("http://127.0.0.1:8765/?lesson=p3_admin_burden&compare=status_quo&") and "government.platform%3Dtrue" in link
    assert s.live_links(s.token, "") == {}
    with pytest.raises(Refused, match="teacher"):
        s.live_links(keys[0], "http://127.0.0.1:8765/")
