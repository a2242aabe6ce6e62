"""The teaching app's page (solara): controls, levers, map, live charts, export.

Served by ``run.py ui`` (see `app.launch`). Each browser tab gets its own
`Session` (solara keeps module-level reactive values per connection), so two
students never share a run. The controller follows Mesa's SolaraViz
``ModelController`` (play runs steps in a background task, step and reset are
buttons), but drives a `Session`, which steps two policies in lockstep and
applies lever changes from the next week. Everything the page shows is
computed by `app.session` and `app.charts`; this module only lays it out.
"""

from __future__ import annotations

import time
from pathlib import Path

import solara
import solara.lab

from app import address, district_map, district_view, lesson_view, live, present
from app.i18n import LANGS, choice_name, lever_explanation, lever_name, outcome_name, preset_label, tr, unit_name
from app.levers import BY_KEY, LEVERS, MECHANISMS, WORLD_LEVERS, Lever
from app.session import STATUS_QUO, Session, preset_description, presets
from sim import ScenarioError, parse_override

#: Seconds between weeks while playing.
PLAY_INTERVAL = 0.25
#: Display names of the languages in the toggle.
LANG_NAMES = {"en": "English", "zh": "中文"}

# Per-connection state (solara scopes module-level reactive values to each browser tab).
lang = solara.reactive("en")
tick = solara.reactive(0)  # bumped each week: views re-render
settings = solara.reactive(0)  # bumped when levers, presets or the world change: inputs re-render
playing = solara.reactive(False)
notice = solara.reactive(("", ()))  # (kind: "", "ok" or "error", lines)
colour_by = solara.reactive("coverage")
presenting = solara.reactive(False)  # presentation mode (app.present): toggle or ?present=1
lesson_charts = solara.reactive(())  # presentation mode's charts chosen in the address (?charts=...)
controls_open = solara.reactive(False)  # narrow screens: the folded controls shown

#: The layout at three widths and presentation mode's (media queries: the browser picks by its width).
CSS = (Path(__file__).parent / "layout.css").read_text(encoding="utf-8")


def _refresh() -> None:
    tick.value += 1


def advance(session: Session) -> None:
    """After a week: send the charts and the week's text their new data in place, in one message.

    Nothing is re-rendered, except the run buttons once the run has finished.
    """
    live.board(session).push(session)
    if not session.running:
        _refresh()


def _changed() -> None:
    settings.value += 1
    tick.value += 1


def _report(problems: list[str], ok_text: str = "") -> None:
    notice.value = ("error", tuple(problems)) if problems else (("ok", (ok_text,)) if ok_text else ("", ()))


def _restarted(problems: list[str], ok_text: str = "") -> None:
    """After a lesson step or a lesson was chosen: stop playing, report, redraw."""
    playing.value = False
    _report([f"{tr('refused', lang.value)}: {line}" for line in problems], ok_text)
    _changed()


def _fmt_value(lever: Lever, value, language: str) -> str:
    if lever.kind == "bool":
        return tr("yes", language) if value else tr("no", language)
    if lever.kind == "choice":
        return choice_name(value, language)
    if lever.kind == "float":
        return f"{value:g}"
    return str(value)


def apply_lever(session: Session, key: str, value) -> list[str]:
    """Send one value to the session (validated there) and report the outcome on the page."""
    problems = session.set_lever(key, value)
    language = lang.value
    if problems:
        _report([f"{tr('refused', language)}: {line}" for line in problems])
    elif key in ("seed", "world.residents"):
        _report([], f"{lever_name(key, language) if key != 'seed' else tr('seed', language)} = {value}: {tr('pending', language)}")
    else:
        lever = BY_KEY.get(key)
        shown = _fmt_value(lever, session.value(key), language) if lever else str(value)
        _report([], tr("applied", language, what=f"{lever_name(key, language)} = {shown}"))
    _changed()
    return problems


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
        text = f"{label}: {_fmt_value(lever, value, language)} {unit}"
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
            _report([f"{tr('refused', language)}: {line}" for line in exc.lines()])
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


def _step(session: Session) -> None:
    session.step()
    advance(session)


def _reset(session: Session) -> None:
    playing.value = False
    session.reset()
    _report([])
    _changed()


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
        _report([])
        _changed()

    # In a lesson the preset select shows the lesson's status quo; choosing a shipped scenario leaves the lesson.
    in_lesson = [tr("lesson_preset", language)] if session.lesson is not None else []
    shown = in_lesson[0] if in_lesson else by_name[session.preset]
    solara.Select(label=tr("preset", language), value=shown, values=[*in_lesson, *labels], on_value=lambda v: v in labels and choose(v), classes=["preset-select"])
    lesson_view.LessonPicker(session, language, settings.value, _restarted)
    off, quo = tr("compare_off", language), tr("status_quo", language)
    options = {off: None, quo: STATUS_QUO} | ({} if session.lesson is not None else {label: n for label, n in labels.items()})
    current = next((label for label, n in options.items() if n == session.compare), off)

    def compare(label: str) -> None:
        playing.value = False
        session.set_compare(options.get(label))
        _changed()

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
            _step(session)
            time.sleep(max(0.0, PLAY_INTERVAL - (time.perf_counter() - started)))
        if not session.running:
            playing.value = False

    solara.lab.use_task(loop, dependencies=[playing.value])
    with solara.Div(classes=["run-box"]):
        with solara.Row(justify="space-between", classes=["run-buttons"]):
            solara.Button(tr("reset", language), on_click=lambda: _reset(session), color="primary", classes=["btn-reset"])
            if playing.value:
                solara.Button(tr("pause", language), on_click=lambda: playing.set(False), color="primary", classes=["btn-pause"])
            else:
                solara.Button(tr("play", language), on_click=lambda: playing.set(True), color="primary", disabled=not session.running, classes=["btn-play"])
            solara.Button(tr("step", language), on_click=lambda: _step(session), color="primary", disabled=playing.value or not session.running, classes=["btn-step"])
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
def LiveText(session: Session, name: str):
    """The week's text ``name`` (``week``: the counter, ``now``: this week's table), updated in place.

    A step sets it through the board's weekly message (`app.live`); a reset,
    preset, comparison or language change sets it here.
    """
    language = lang.value
    tick.value, settings.value  # noqa: B018 - re-render (and so re-set the text) on a reset, preset or comparison
    # The text is not a property of the element: reacton would hold the widget
    # to the text of the component's last render, and a parent's re-render
    # (Pause) would put back a week long gone ("Week 0" after Pause). Only
    # the board sets it: each week, and after every render of this component.
    element = live.LiveText.element(name=name, html=name != "week")
    board = live.board(session)

    def attach():
        widget = solara.get_widget(element)
        board.attach_text(name, widget)
        board.push_texts(session, language)
        return lambda: board.detach_text(name, widget)

    solara.use_effect(attach, [])
    solara.use_effect(lambda: board.push_texts(session, language), None)


@solara.component
def NowTable(session: Session):
    """This week's main outcomes (and the comparison's, and the difference)."""
    with solara.Card(classes=["now-table"]):
        LiveText(session, "now")


def _table(head: list[str], rows: list[list[str]]) -> None:
    """A plain HTML table (solara.Markdown would fetch KaTeX from a CDN)."""
    solara.HTML(tag="div", unsafe_innerHTML=live.table_html(head, rows))


@solara.component
def Chart(session: Session, name: str, fill: bool = False):
    """One live chart, rendered when its layout may change (language, settings, map colouring, presentation mode).

    A step updates it in place through `app.live` instead. The chart sets its
    own height for the width it gets (app/live_chart.vue); with ``fill`` it
    takes the height its container gives it (presentation mode).
    """
    language = lang.value
    colour = colour_by.value if name == "overview" else None
    revision = settings.value
    shown = present.charts_shown(lesson_charts.value, session.other is not None) if presenting.value else None
    element = live.LiveChart.element(attributes={"class": f"chart chart-{name}" + (" chart-fill" if fill else "")})
    board = live.board(session)

    def attach():
        widget = solara.get_widget(element)
        board.attach(name, widget)
        return lambda: board.detach(name, widget)

    def refresh():
        board.lang = language
        board.present = shown
        if colour is not None:
            board.colour_by = colour
        board.push(session, only=name)

    solara.use_effect(attach, [])
    solara.use_effect(refresh, [language, colour, revision, shown])


@solara.component
def Sender(session: Session):
    """The page's one hidden `LiveBoard`: each week's data for every chart, in one message."""
    element = live.LiveBoard.element()
    board = live.board(session)

    def attach():
        widget = solara.get_widget(element)
        board.attach_sender(widget)
        return lambda: board.detach_sender(widget)

    solara.use_effect(attach, [])


@solara.component
def Views(session: Session):
    """This week, the map, the groups, and the panel of time series (with the difference, side by side).

    Not re-rendered each week: `Chart` widgets and the week's text are
    updated in place by `advance`.
    """
    language = lang.value
    settings.value  # noqa: B018 - re-render when the comparison is switched on or off
    compared = session.other is not None
    Sender(session)
    with solara.Div(classes=["views-top"]):
        with solara.Column():
            NowTable(session)
            if compared:
                solara.Info(tr("compare_note", language), classes=["compare-note"])
        with solara.Card(margin=0):
            shown = {outcome_name(m, language): m for m in ("coverage", "satisfaction")}
            solara.ToggleButtonsSingle(value=outcome_name(colour_by.value, language), values=list(shown), on_value=lambda v: colour_by.set(shown.get(v, "coverage")), classes=["colour-toggle"])
            Chart(session, "overview")  # the map, and the groups beside it (or under it)
    if district_map.has_polygons(session):  # a district from files: its real polygons (app.district_view)
        district_view.DistrictMap(session, colour_by.value, language, settings.value)
    Chart(session, "panel")


@solara.component
def Presentation(session: Session):
    """Presentation mode: a large week counter and the run buttons, this week's table across, the map and the lesson's charts."""
    settings.value  # noqa: B018
    Sender(session)
    with solara.Div(classes=["app-present"]):
        with solara.Div(classes=["present-bar", "run-bar"]):
            RunButtons(session)
        NowTable(session)
        with solara.Div(classes=["present-row"]):
            Chart(session, "overview", fill=True)
            Chart(session, "panel", fill=True)


@solara.component
def Explanations():
    """What each lever means in plain words, its clause, unit, range and source."""
    language = lang.value
    with solara.Card(tr("explain", language), classes=["explanations"]):
        solara.Text(tr("clauses_note", language))
        rows = [[lever_name(lv.key, language), lv.clause, unit_name(lv.unit, language), _range(lv), lever_explanation(lv.key, language), lv.source] for lv in LEVERS]
        _table(["", tr("clause", language), tr("unit", language), tr("range", language), "", tr("source", language)], rows)


def _range(lever: Lever) -> str:
    if lever.kind == "bool":
        return "on / off"
    if lever.kind == "choice":
        return ", ".join(lever.choices)
    lo, hi = lever.bounds
    return f"[{lo:g}, {hi:g}]" if hi is not None else f"≥ {lo:g}"


@solara.component
def Page():
    """The whole app: the controls beside the views (or above them on a narrow screen), or presentation mode."""
    router = solara.use_router()
    # The address may ask for a lesson, a preset, a comparison and levers (app/address.py): checked at the boundary.
    session, refused = solara.use_memo(lambda: address.open_session(router.search), [])
    language = lang.value

    def from_address():
        on, chosen = present.from_query(router.search)
        presenting.set(on)
        lesson_charts.set(chosen)
        shown = address.language(router.search)
        if shown:
            lang.set(shown)
        if refused:
            _report([f"{tr('refused', shown or language)}: {line}" for line in refused])
        elif address.parse(router.search).levers:  # not a lesson step's preset: that has its own card
            what = ", ".join(f"{lever_name(k, shown or language)} = {v}" for k, v in session.levers.items())
            _report([], tr("from_address", shown or language, what=what))

    solara.use_effect(from_address, [])
    # Set before the children render, so the week's table and the charts are drawn for the mode.
    live.board(session).present = present.charts_shown(lesson_charts.value, session.other is not None) if presenting.value else None
    solara.Title(tr("title", language))
    solara.Style(CSS)
    with solara.AppBar():
        with solara.AppBarTitle():
            solara.Text(tr("title", language), classes=["app-title"])
        label = tr("present_off" if presenting.value else "present", language)
        solara.Button(label, on_click=lambda: presenting.set(not presenting.value), text=True, classes=["present-toggle"])
        solara.ToggleButtonsSingle(value=LANG_NAMES[language], values=[LANG_NAMES[c] for c in LANGS], on_value=lambda v: lang.set({n: c for c, n in LANG_NAMES.items()}[v]), classes=["lang-toggle"])
    if presenting.value:
        Presentation(session)
        return
    with solara.Div(classes=["app-shell"]):
        with solara.Div(classes=["app-controls"]):
            with solara.Card(margin=0, classes=["run-bar"]):
                RunButtons(session)
            icon = "mdi-chevron-up" if controls_open.value else "mdi-chevron-down"
            solara.Button(tr("controls_more", language), icon_name=icon, on_click=lambda: controls_open.set(not controls_open.value), outlined=True, classes=["controls-toggle"])
            with solara.Div(classes=["controls-more"] + (["open"] if controls_open.value else [])):
                with solara.Card(margin=0):
                    Controls(session)
                Notice()
                with solara.Card(tr("export", language), margin=0):
                    Exports(session)
                with solara.Card(tr("levers", language), margin=0):
                    AnyLever(session)
                    LeverPanel(session)
        with solara.Div(classes=["app-main"]):
            lesson_view.LessonCard(session, language, settings.value, _restarted)
            Views(session)
            Explanations()
