"""The sidebar of the teaching app (solara): run buttons, presets and comparison, levers, exports, explanations.

Every value goes through `app.state.apply_lever`, which hands it to the
session to validate (app/guard.py, the scenario schema).
"""

from __future__ import annotations

import time

import solara
import solara.lab

from app import lesson_view
from app.i18n import choice_name, lever_explanation, lever_name, preset_label, tr, unit_name
from app.levers import LEVERS, MECHANISMS, WORLD_LEVERS, Lever
from app.session import STATUS_QUO, Session, preset_description, presets
from app.state import PLAY_INTERVAL, apply_lever, changed, fmt_value, lang, notice, playing, report, reset_runs, restarted, settings, step_week, tick
from app.views import LiveText, table
from sim import ScenarioError, parse_override


@solara.component
def LeverInput(session: Session, lever: Lever):
    """One lever's widget, its value and unit from the schema."""
    language = lang.value
    settings.value  # noqa: B018 - re-render when the settings change (not every week)
    value = session.value(lever.key)
    unit = unit_name(lever.unit, language)
    label = f"{lever_name(lever.key, language)} [{lever.clause}]" if lever.mechanism != "world" else lever_name(lever.key, language)
    if lever.kind == "bool":
        solara.Checkbox(label=label, value=bool(value), on_value=lambda v: apply_lever(session, lever.key, v))
    elif lever.kind == "choice":
        names = {choice_name(c, language): c for c in lever.choices}
        solara.Select(label=label, value=choice_name(value, language), values=list(names), on_value=lambda v: apply_lever(session, lever.key, names.get(v, v)))
    else:
        lo, hi = lever.slider_range
        lo, hi = min(lo, value), max(hi, value)  # a slider clamps what it shows and sends it back: a lesson's 8 weeks would become 13
        text = f"{label}: {fmt_value(lever, value, language)} {unit}"
        if lever.kind == "int":
            solara.SliderInt(text, value=int(value), min=int(lo), max=int(hi), step=int(lever.step or 1), on_value=lambda v: apply_lever(session, lever.key, v))
        else:
            solara.SliderFloat(text, value=float(value), min=float(lo), max=float(hi), step=float(lever.step or 0.01), on_value=lambda v: apply_lever(session, lever.key, v))


@solara.component
def AnyLever(session: Session):
    """A text box for any scenario key, checked exactly as a file is."""
    language = lang.value
    text, set_text = solara.use_state("")

    def submit(*_):
        try:
            key, value = parse_override(text)
        except ScenarioError as exc:
            report([f"{tr('refused', language)}: {line}" for line in exc.lines()])
            return
        apply_lever(session, key, value)

    solara.InputText(tr("any_lever", language), value=text, on_value=set_text, continuous_update=True)
    solara.Button(tr("apply", language), on_click=submit, outlined=True, classes=["any-lever-apply"])


@solara.component
def Notice():
    """The last lever change: applied, pending, or refused with the reason."""
    kind, lines = notice.value
    if kind == "error":
        solara.Error("\n".join(lines), classes=["lever-refused"])
    elif kind == "ok":
        solara.Success("\n".join(lines), classes=["lever-applied"])


@solara.component
def Controls(session: Session):
    """Preset, comparison, seed and district size."""
    language = lang.value
    settings.value  # noqa: B018
    names = list(presets())
    labels = {preset_label(n, preset_description(n) if language == "en" else "", language): n for n in names}
    by_name = {n: label for label, n in labels.items()}

    def choose(label: str) -> None:
        playing.value = False
        session.choose_preset(labels.get(label, label))
        report([])
        changed()

    # In a lesson the preset select shows the lesson's status quo; choosing a shipped scenario leaves the lesson.
    in_lesson = [tr("lesson_preset", language)] if session.lesson is not None else []
    shown = in_lesson[0] if in_lesson else by_name[session.preset]
    solara.Select(label=tr("preset", language), value=shown, values=[*in_lesson, *labels], on_value=lambda v: v in labels and choose(v), classes=["preset-select"])
    lesson_view.LessonPicker(session, language, settings.value, restarted)
    off, quo = tr("compare_off", language), tr("status_quo", language)
    options = {off: None, quo: STATUS_QUO} | ({} if session.lesson is not None else {label: n for label, n in labels.items()})
    current = next((label for label, n in options.items() if n == session.compare), off)

    def compare(label: str) -> None:
        playing.value = False
        session.set_compare(options.get(label))
        changed()

    solara.Select(label=tr("compare", language), value=current, values=list(options), on_value=compare, classes=["compare-select"])
    solara.InputInt(tr("seed", language), value=int(session.value("seed")), on_value=lambda v: apply_lever(session, "seed", v), continuous_update=False)
    for lever in WORLD_LEVERS:
        LeverInput(session, lever)
    if session.pending:
        solara.Info(tr("pending", language))


@solara.component
def RunButtons(session: Session):
    """Reset, play / pause, step and the week counter (its text updated in place each week).

    Play runs in a background task, as in SolaraViz's controller.
    """
    language = lang.value
    tick.value  # noqa: B018

    def loop() -> None:
        while playing.value and session.running:
            started = time.perf_counter()
            step_week(session)
            time.sleep(max(0.0, PLAY_INTERVAL - (time.perf_counter() - started)))
        if not session.running:
            playing.value = False

    solara.lab.use_task(loop, dependencies=[playing.value])
    with solara.Div(classes=["run-box"]):
        with solara.Row(justify="space-between", classes=["run-buttons"]):
            solara.Button(tr("reset", language), on_click=lambda: reset_runs(session), color="primary", classes=["btn-reset"])
            if playing.value:
                solara.Button(tr("pause", language), on_click=lambda: playing.set(False), color="primary", classes=["btn-pause"])
            else:
                solara.Button(tr("play", language), on_click=lambda: playing.set(True), color="primary", disabled=not session.running, classes=["btn-play"])
            solara.Button(tr("step", language), on_click=lambda: step_week(session), color="primary", disabled=playing.value or not session.running, classes=["btn-step"])
        LiveText(session, "week")
        if not session.running:
            solara.Info(tr("finished", language))


@solara.component
def LeverPanel(session: Session):
    """The levers of M1-M6, grouped by mechanism."""
    language = lang.value
    for mechanism in MECHANISMS:
        with solara.Card(tr(mechanism, language), margin=0, classes=["lever-group"]):
            for lever in LEVERS:
                if lever.mechanism == mechanism:
                    LeverInput(session, lever)


@solara.component
def Exports(session: Session):
    """Downloads: run data (CSV), charts (PNG), settings (scenario YAML).

    The file names leave out the week (the CSV has a step column, the YAML a
    header with the week), so the buttons are not re-rendered every week.
    """
    language = lang.value
    settings.value  # noqa: B018 - preset and seed are in the file names
    stem = f"{session.preset}_seed{session.seed}"
    with solara.Column(gap="4px"):
        solara.FileDownload(lambda: session.export_csv().encode(), filename=f"{stem}.csv", label=tr("export_csv", language), mime_type="text/csv")
        solara.FileDownload(lambda: session.export_png(language), filename=f"{stem}.png", label=tr("export_png", language), mime_type="image/png")
        solara.FileDownload(lambda: session.export_yaml().encode(), filename=f"{session.preset}_app.yaml", label=tr("export_yaml", language), mime_type="application/x-yaml")


@solara.component
def Explanations():
    """What each lever means in plain words, its clause, unit, range and source."""
    language = lang.value
    with solara.Card(tr("explain", language), classes=["explanations"]):
        solara.Text(tr("clauses_note", language))
        rows = [[lever_name(lv.key, language), lv.clause, unit_name(lv.unit, language), _range(lv), lever_explanation(lv.key, language), lv.source] for lv in LEVERS]
        table(["", tr("clause", language), tr("unit", language), tr("range", language), "", tr("source", language)], rows)


def _range(lever: Lever) -> str:
    if lever.kind == "bool":
        return "on / off"
    if lever.kind == "choice":
        return ", ".join(lever.choices)
    lo, hi = lever.bounds
    return f"[{lo:g}, {hi:g}]" if hi is not None else f"≥ {lo:g}"
