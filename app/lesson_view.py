"""A lesson followed by one teacher in the app (issue 15): the lesson picker and the step card.

The lesson (docs/classroom.md; `app.lessons`) gives the world, the seed and
the status quo; the step card shows the step's title, the question for the
class, what to look at, the teacher's notes and the preset it applies, with
◀ ▶ to move. Moving to a step restarts both runs from week 0: your policy
is the status quo plus the step's preset, the comparison the status quo
(`app.session.Session.go_to_step`). A lesson with ``start_week`` W restarts
them at week W instead, restored from its status quo's snapshot
(`app.burn_in`); the card then says that the district has run W weeks. The components take the language and a
callback from the page (`app.state.restarted`), which owns the tab's state.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import solara

from app.burn_in import start_week
from app.i18n import tr
from app.lessons import available, preset_text, text
from app.session import Session

#: ``on_change(problems, ok_text)``: the page reports the outcome and re-renders.
OnChange = Callable[[list[str], str], None]


def started(session: Session, language: str) -> str:
    """The confirmation shown after moving to a step."""
    step = session.lesson.spec.steps[session.step_index]
    return tr("lesson_started", language, n=session.step_index + 1, title=text(step.title, language), week=session.week)


@solara.component
def LessonPicker(session: Session, language: str, revision: int, on_change: OnChange):
    """A select of the lessons the app knows; choosing one follows it from its first step."""
    lessons = available()
    off = tr("lesson_off", language)
    labels = {off: None} | {f"{text(lesson.spec.title, language)} ({name})": name for name, lesson in lessons.items()}
    current = session.lesson.spec.name if session.lesson is not None else None
    shown = next((label for label, name in labels.items() if name == current), off)

    def choose(label: str) -> None:
        name = labels.get(label)
        if name == current:
            return
        if name is None:
            session.choose_preset("baseline")
            on_change([], "")
            return
        problems = session.follow_lesson(lessons[name])
        on_change(problems, "" if problems else started(session, language))

    solara.Select(label=tr("lesson", language), value=shown, values=list(labels), on_value=choose, classes=["lesson-select"])


def _block(title: str, body: str, css: str) -> str:
    return f'<div class="{css}"><b>{html.escape(title)}</b><br>{html.escape(body)}</div>'


@solara.component
def LessonCard(session: Session, language: str, revision: int, on_change: OnChange):
    """The lesson's step on view: title, ◀ ▶, question, what to look at, teacher notes, the step's preset."""
    lesson = session.lesson
    if lesson is None:
        return
    steps = lesson.spec.steps
    index = session.step_index
    step = steps[index]

    def go(to: int) -> None:
        problems = session.go_to_step(to)
        on_change(problems, "" if problems else started(session, language))

    sets = preset_text(step.preset) or tr("lesson_quo", language)
    week = start_week(lesson)
    burnt_in = [_block(tr("lesson_start", language), tr("lesson_burnt_in", language, week=week, next=week + 1), "lesson-start")] if week else []
    body = "".join(
        [
            *burnt_in,
            _block(tr("lesson_question", language), text(step.question, language), "lesson-question"),
            _block(tr("lesson_look", language), text(step.look_at, language), "lesson-look"),
            _block(tr("lesson_notes", language), text(step.notes, language), "lesson-notes"),
            _block(tr("lesson_sets", language), sets, "lesson-preset"),
        ]
    )
    with solara.Card(f"{tr('lesson', language)}: {text(lesson.spec.title, language)}", margin=0, classes=["lesson-card"]):
        with solara.Row(style={"align-items": "center"}):
            solara.Button("◀", on_click=lambda: go(index - 1), disabled=index == 0, outlined=True, classes=["lesson-prev"])
            solara.Text(f"{tr('lesson_step', language, n=index + 1, of=len(steps))}: {text(step.title, language)}", classes=["lesson-step"])
            solara.Button("▶", on_click=lambda: go(index + 1), disabled=index == len(steps) - 1, outlined=True, classes=["lesson-next"])
        solara.HTML(tag="div", unsafe_innerHTML=body, classes=["lesson-body"])
