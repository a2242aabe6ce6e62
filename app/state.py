"""The teaching app's per-tab state and the actions the page's controls share (solara).

Solara keeps module-level reactive values per browser tab, so every tab has
its own language, notice, play state and revision counters. The actions here
(`apply_lever`, `step_week`, `reset_runs`, `restarted`) change the tab's
`app.session.Session` and tell the page what to redraw; the components are
in `app.controls` (the sidebar), `app.views` (map, charts, this week) and
`app.page` (the whole page).
"""

from __future__ import annotations

import solara

from app import live
from app.i18n import choice_name, lever_name, tr
from app.levers import BY_KEY, Lever
from app.session import Session

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


def refresh() -> None:
    """Re-render what depends on the week (the run buttons)."""
    tick.value += 1


def advance(session: Session) -> None:
    """After a week: send the charts and the week's text their new data in place, in one message.

    Nothing is re-rendered, except the run buttons once the run has finished.
    """
    live.board(session).push(session)
    if not session.running:
        refresh()


def changed() -> None:
    """Re-render the inputs and the views after levers, presets or the world changed."""
    settings.value += 1
    tick.value += 1


def report(problems: list[str], ok_text: str = "") -> None:
    """Show the problems in red, else ``ok_text`` in green (or nothing)."""
    notice.value = ("error", tuple(problems)) if problems else (("ok", (ok_text,)) if ok_text else ("", ()))


def restarted(problems: list[str], ok_text: str = "") -> None:
    """After a lesson step or a lesson was chosen: stop playing, report, redraw."""
    playing.value = False
    report([f"{tr('refused', lang.value)}: {line}" for line in problems], ok_text)
    changed()


def fmt_value(lever: Lever, value, language: str) -> str:
    """A lever's value as the page shows it (on/off, a choice's name, a number)."""
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
        report([f"{tr('refused', language)}: {line}" for line in problems])
    elif key in ("seed", "world.residents"):
        report([], f"{lever_name(key, language) if key != 'seed' else tr('seed', language)} = {value}: {tr('pending', language)}")
    else:
        lever = BY_KEY.get(key)
        shown = fmt_value(lever, session.value(key), language) if lever else str(value)
        report([], tr("applied", language, what=f"{lever_name(key, language)} = {shown}"))
    changed()
    return problems


def step_week(session: Session) -> None:
    """Step both runs one week and push the new week to the page."""
    session.step()
    advance(session)


def reset_runs(session: Session) -> None:
    """Stop playing and rebuild the runs from week 0."""
    playing.value = False
    session.reset()
    report([])
    changed()
