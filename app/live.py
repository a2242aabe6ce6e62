"""Live charts that a step updates in place, without re-rendering the page.

A week used to re-render the whole view (reacton walks every chart option,
solara resends each option whole, and the browser rebuilds nine charts from
scratch). Now each chart is a `LiveChart` widget that the page creates once;
a step calls `push`, which rebuilds the options from the session (cheap, see
`app.charts`), splits each into its layout (titles, legend, axes, styles) and
its data, and sends only the data when the layout is unchanged. The browser
merges that data into the chart (``setOption`` in merge mode) instead of
rebuilding it. When the layout does change (language, comparison, preset,
map colouring), the whole option is sent to that chart's widget.

A week's data for all charts goes as one message, through the page's one
`LiveBoard` widget: the browser then merges it into every chart in a single
task and paints once, instead of handling a message per chart (a task each,
with the server's sends interleaved). A chart whose data did not change is
left out, so it is not redrawn. The page has two chart widgets: the map with
the groups (`map_charts.overview`) and the seven time-series charts
(`charts.panel`); each is one ECharts instance, which redraws far faster
than one instance per chart.

The week's text (the week counter, the "this week" table) rides in the same
message: each is a `LiveText` widget that the server fills, and the browser
sets the new text in the same task as it redraws the charts, instead of
waiting for a solara re-render of the page's text after the charts.
"""

from __future__ import annotations

import html
import json
import threading
import weakref
from collections.abc import Callable
from typing import Any

import ipyvuetify
import traitlets

from app import charts, district_map, map_charts
from app.i18n import tr
from app.present import enlarge
from app.session import Session


class LiveChart(ipyvuetify.VuetifyTemplate):
    """One ECharts chart: ``option`` whole (layout changes), ``update`` data only (``{"n", "data"}``)."""

    template_file = (__file__, "live_chart.vue")

    attributes = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    option = traitlets.Any({}).tag(sync=True)
    update = traitlets.Any({}).tag(sync=True)
    cdn = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    @traitlets.default("cdn")
    def _cdn(self):
        import solara.settings

        if not solara.settings.assets.proxy:
            return solara.settings.assets.cdn
        return None

    def show(self, option: dict) -> None:
        """Show ``option``: only its data when the layout is what the browser already has."""
        layout, data = split(option)
        with self.hold_sync():
            if layout != getattr(self, "_layout", None):
                self._layout = layout
                self.option = option
            # Numbered, so the browser applies it even when it equals an update
            # sent before (the board's batches may have moved the chart on since).
            self._sent = getattr(self, "_sent", 0) + 1
            self.update = {"n": self._sent, "data": data}
        self._data = data


class LiveBoard(ipyvuetify.VuetifyTemplate):
    """One hidden widget per page: a week's data for every chart in one message (``batch``).

    ``batch`` is a JSON string, parsed in the browser: sent as nested lists,
    ipywidgets walks every number looking for binary buffers (about 2 ms a
    week at the population cap, measured in the server's profile).
    """

    template_file = (__file__, "live_board.vue")

    batch = traitlets.Unicode("").tag(sync=True)


class LiveText(ipyvuetify.VuetifyTemplate):
    """A piece of the week's text (``name``: ``week`` or ``now``), plain or HTML, filled by the `Board`.

    The server sets ``text``; the board's weekly message also carries it, and
    the browser shows that at once (``shown``) until ``text`` catches up.
    """

    template_file = (__file__, "live_text.vue")

    name = traitlets.Unicode("").tag(sync=True)
    html = traitlets.Bool(False).tag(sync=True)
    text = traitlets.Unicode("").tag(sync=True)


def week_text(session: Session, lang: str) -> str:
    """The week counter, e.g. ``Week 3 of 52``."""
    return f"{tr('week', lang)} {session.week}{tr('week_suffix', lang)} {tr('of', lang)} {session.model.scenario.steps}"


TABLE_STYLE = "<style>.app-table td,.app-table th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}</style>"


def table_html(head: list[str], rows: list[list[str]]) -> str:
    """A plain HTML table (solara.Markdown would fetch KaTeX from a CDN)."""
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"{TABLE_STYLE}<table class='app-table'><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def now_html(session: Session, lang: str, frames: dict | None = None, across: bool = False) -> str:
    """The "this week" card: its title (with the week) and the table of main outcomes.

    ``across``: one column per outcome (presentation mode's strip across the
    screen) instead of one row per outcome.
    """
    if frames is None:
        frames = {"yours": session.frame("yours"), "other": session.frame("other") if session.other is not None else None}
    yours, other = frames["yours"], frames["other"]
    rows = charts.now_table(yours, other, lang)
    head = ["", tr("yours", lang)] + ([tr("other", lang), "Δ"] if other is not None else [])
    body = [[r["name"], r["yours"]] + ([r["other"], r["diff"]] if other is not None else []) for r in rows]
    if across:
        columns = list(zip(*body, strict=True))  # names, your values, and the comparison's and the difference
        head, body = ["", *columns[0]], [[label, *values] for label, values in zip(head[1:], columns[1:], strict=True)]
    title = f"{tr('now', lang)}: {tr('week', lang)} {session.week}{tr('week_suffix', lang)}"
    return f"<div class='v-card__title'>{html.escape(title)}</div>" + table_html(head, body)


def texts(session: Session, lang: str, frames: dict | None = None, across: bool = False) -> dict[str, str]:
    """Every `LiveText` of the page, by name (``across``: the table as a strip, for presentation mode)."""
    return {"week": week_text(session, lang), "now": now_html(session, lang, frames, across)}


def split(option: dict) -> tuple[dict, dict]:
    """An ECharts option as (layout without data, data only) for a merge ``setOption``.

    The data is each series' ``data`` and each category x axis' ``data`` (an
    axis, or a list of them as in a `charts.panel`); ECharts merges both by index.
    """
    layout = dict(option)
    data: dict[str, Any] = {}
    axis = option.get("xAxis")
    if isinstance(axis, dict) and "data" in axis:
        layout["xAxis"] = {k: v for k, v in axis.items() if k != "data"}
        data["xAxis"] = {"data": axis["data"]}
    elif isinstance(axis, list):
        layout["xAxis"] = [{k: v for k, v in a.items() if k != "data"} for a in axis]
        data["xAxis"] = [{"data": a.get("data", [])} for a in axis]
    layout["series"] = [{k: v for k, v in s.items() if k != "data"} for s in option.get("series", [])]
    data["series"] = [{"data": s.get("data", [])} for s in option.get("series", [])]
    return layout, data


Builder = Callable[[dict], dict]


def builders(session: Session, lang: str, colour_by: str, present: tuple[str, ...] | None = None) -> dict[str, Builder]:
    """Each chart the page shows, as a function of the frames (built once per update).

    ``present``: the charts of presentation mode (`app.present`), or None
    for the full page. Presentation mode draws the map alone, the chosen
    charts in one row, and every text large.
    """
    # Two ECharts instances: the map with the groups (`map_charts.overview`) and the time series (`charts.panel`).
    # The words the browser's tooltip adds (app/live_chart.vue) ride in each option's layout.
    words = {"other": tr("other", lang), "residents": tr("residents_word", lang)}

    def labelled(option: dict) -> dict:
        option["layout"] = {**option["layout"], **words}
        return option

    def the_map() -> dict:
        return map_charts.map_chart(session.community_table(), session.facility_table(), session.catchment_km, session.area_km, colour_by, lang)

    if present is None:
        out: dict[str, Builder] = {
            "overview": lambda f: labelled(map_charts.overview(the_map(), charts.group_chart(f["yours"], f["other"], lang))),
            "panel": lambda f: labelled(charts.panel(charts.time_charts(f["yours"], f["other"], lang))),
        }
        out.update(district_map.builders(session, lang, colour_by))  # a district from files: its real polygons
        return out

    def lesson(f: dict) -> dict:
        parts = dict(charts.time_charts(f["yours"], f["other"], lang))
        chosen = [(name, parts[name]) for name in present if name in parts]
        return labelled(enlarge(charts.panel(chosen, wide=(), columns=max(1, len(chosen)))))

    return {"overview": lambda f: labelled(enlarge(map_charts.overview(the_map(), None))), "panel": lesson}


class Board:
    """The live charts of one session: which widgets are on the page and how to fill them."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.widgets: dict[str, LiveChart] = {}
        self.sender: LiveBoard | None = None
        self.texts: dict[str, LiveText] = {}
        self.batches = 0
        self.lang = "en"
        self.colour_by = "coverage"
        self.present: tuple[str, ...] | None = None  # presentation mode's charts, or None

    def attach(self, name: str, widget: LiveChart) -> None:
        """Put a chart on the board (when it appears on the page)."""
        with self.lock:
            self.widgets[name] = widget

    def detach(self, name: str, widget: LiveChart) -> None:
        """Take a chart off the board (when it leaves the page)."""
        with self.lock:
            if self.widgets.get(name) is widget:
                del self.widgets[name]

    def attach_sender(self, widget: LiveBoard) -> None:
        """Set the page's `LiveBoard`, through which a week's data goes."""
        with self.lock:
            self.sender = widget

    def detach_sender(self, widget: LiveBoard) -> None:
        """Drop the page's `LiveBoard` (when it leaves the page): charts get their own updates again."""
        with self.lock:
            if self.sender is widget:
                self.sender = None

    def attach_text(self, name: str, widget: LiveText) -> None:
        """Put a `LiveText` on the board (when it appears on the page)."""
        with self.lock:
            self.texts[name] = widget

    def detach_text(self, name: str, widget: LiveText) -> None:
        """Take a `LiveText` off the board."""
        with self.lock:
            if self.texts.get(name) is widget:
                del self.texts[name]

    def push_texts(self, session: Session, lang: str | None = None) -> None:
        """Set every `LiveText` to the session's current text (outside a week: reset, language...)."""
        with self.lock, session._lock:
            if lang is not None:
                self.lang = lang
            for name, value in texts(session, self.lang, across=self.present is not None).items():
                if name in self.texts:
                    self.texts[name].text = value

    def push(self, session: Session, only: str | None = None) -> None:
        """Send every attached chart (or just ``only``) the session's current data.

        Charts whose layout is unchanged get their data through the `LiveBoard`
        in one message (when the page has one); the others, and ``only``, get
        their own widget's update.
        """
        with self.lock, session._lock:
            names = [only] if only is not None else list(self.widgets)
            names = [n for n in names if n in self.widgets]
            # Each run's columns as arrays, once for all charts (see `charts.Run`).
            frames = {"yours": charts.as_run(session.frame("yours")), "other": charts.as_run(session.frame("other")) if session.other is not None else None}
            # The week's text, changed since last sent: in the batch (drawn at
            # once in the browser) and then in each widget (the server's state).
            text = {}
            if only is None:
                text = {n: v for n, v in texts(session, self.lang, frames, self.present is not None).items() if n in self.texts and self.texts[n].text != v}
            if not names and not text:
                return
            build = builders(session, self.lang, self.colour_by, self.present)
            batch: dict[str, dict] = {}
            for name in names:
                option = build[name](frames)
                if not option:
                    continue
                widget = self.widgets[name]
                if only is None and self.sender is not None:
                    layout, data = split(option)
                    if layout == getattr(widget, "_layout", None):
                        if data != getattr(widget, "_data", None):
                            batch[name] = data
                            widget._data = data
                        continue
                widget.show(option)
            if self.sender is not None and (batch or text):
                self.batches += 1
                self.sender.batch = json.dumps({"n": self.batches, "charts": batch, "texts": text}, separators=(",", ":"), allow_nan=False)
            for name, value in text.items():
                self.texts[name].text = value


_BOARDS: weakref.WeakKeyDictionary[Session, Board] = weakref.WeakKeyDictionary()
_BOARDS_LOCK = threading.Lock()


def board(session: Session) -> Board:
    """The session's `Board` (one per browser tab)."""
    with _BOARDS_LOCK:
        found = _BOARDS.get(session)
        if found is None:
            found = _BOARDS[session] = Board()
        return found
