"""The teaching app's page (solara): the controls beside the views, or presentation mode.

Served by ``run.py ui`` (see `app.launch`). Each browser tab gets its own
`Session` (solara keeps module-level reactive values per connection, `app.state`),
so two students never share a run; the address may open it on a lesson, a
preset, a comparison and levers (`app.address`). The controller follows
Mesa's SolaraViz ``ModelController`` (play runs steps in a background task,
step and reset are buttons), but drives a `Session`, which steps two
policies in lockstep and applies lever changes from the next week.
Everything the page shows is computed by `app.session`, `app.charts` and
`app.map_charts`; the components are in `app.controls` and `app.views`, and
this module only lays them out.
"""

from __future__ import annotations

from pathlib import Path

import solara

from app import address, lesson_view, live, present
from app.controls import AnyLever, Controls, Explanations, Exports, LeverPanel, Notice, RunButtons
from app.i18n import LANGS, lever_name, tr
from app.session import Session
from app.state import LANG_NAMES, controls_open, lang, lesson_charts, presenting, report, restarted, settings
from app.views import Chart, NowTable, Sender, Views

#: The layout at three widths and presentation mode's (media queries: the browser picks by its width).
CSS = (Path(__file__).parent / "layout.css").read_text(encoding="utf-8")


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
            report([f"{tr('refused', shown or language)}: {line}" for line in refused])
        elif address.parse(router.search).levers:  # not a lesson step's preset: that has its own card
            what = ", ".join(f"{lever_name(k, shown or language)} = {v}" for k, v in session.levers.items())
            report([], tr("from_address", shown or language, what=what))

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
            lesson_view.LessonCard(session, language, settings.value, restarted)
            Views(session)
            Explanations()
