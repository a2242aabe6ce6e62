"""The views of the teaching app (solara): this week's table, the map and groups, the time series, presentation mode.

They are rendered when their layout may change (language, settings, map
colouring, presentation mode); a week's step updates them in place through
`app.live` (one message for every chart and the week's text).
"""

from __future__ import annotations

import solara

from app import district_map, district_view, live, present
from app.i18n import outcome_name, tr
from app.session import Session
from app.state import colour_by, lang, lesson_charts, presenting, settings, tick


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


def table(head: list[str], rows: list[list[str]]) -> None:
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
