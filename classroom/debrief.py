"""The debrief export: one CSV row per round, team and outcome; one standalone HTML file in English and Chinese.

Both hold every finished round: the teams, their choices, each outcome's mean
with its 95% CI and the paired difference from the status quo with its CI,
whether the package is on the trade-off frontier, and the lesson's questions.
The HTML has no external files (no scripts, fonts or images from the web); a
switch at the top shows English or Chinese.
"""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Any

from classroom.session import ClassSession

COLUMNS = ["round", "team", "rank", "frontier", "cost", "error", "choices", "outcome", "mean", "ci_low", "ci_high", "diff_vs_status_quo", "diff_ci_low", "diff_ci_high", "real_difference"]

WORDS = {
    "en": {
        "round": "Round", "team": "Team", "rank": "Rank", "cost": "Cost", "frontier": "Frontier", "choices": "Choices", "questions": "Questions for the class",
        "look": "Look at", "vs": "vs status quo", "failed": "failed", "teams": "teams",
        "note": "Means over replications with 95% CIs; differences are paired on common random numbers; * marks a difference whose CI excludes 0.",
    },
    "zh": {
        "round": "第", "team": "小组", "rank": "名次", "cost": "成本", "frontier": "前沿", "choices": "选择", "questions": "课堂问题",
        "look": "观察", "vs": "与现状之差", "failed": "失败", "teams": "个小组",
        "note": "各重复运行的均值及95%置信区间；差异基于共同随机数配对计算；*表示置信区间不含0的差异。",
    },
}


def _rounds(session: ClassSession) -> list[Any]:
    return [r for r in session.rounds if r.status == "done" and r.board is not None]


def debrief_csv(session: ClassSession) -> str:
    """Every finished round as CSV: one row per team (the status quo included) and outcome."""
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(COLUMNS)
    names = session.names()
    for rnd in _rounds(session):
        for row in rnd.board["rows"]:
            choices = json.dumps(rnd.packages.get(row["label"], {}), sort_keys=True)
            base = [rnd.number, names.get(row["label"], row["label"]), row["rank"] or "", row["frontier"], row["cost"], row["error"] or "", choices]
            if row["error"]:
                out.writerow([*base, "", "", "", "", "", "", "", ""])
            for name, o in row["outcomes"].items():
                out.writerow([*base, name, o["mean"], o["low"], o["high"], o["diff"], o["diff_low"], o["diff_high"], o["real"]])
    return buf.getvalue()


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.4g}"


def _ci(o: dict[str, Any], diff: bool = False) -> str:
    if diff:
        return f"{_fmt(o['diff'])} [{_fmt(o['diff_low'])}, {_fmt(o['diff_high'])}]{' *' if o['real'] else ''}"
    return f"{_fmt(o['mean'])} [{_fmt(o['low'])}, {_fmt(o['high'])}]"


def _section(session: ClassSession, lang: str) -> str:
    w = WORDS[lang]
    spec = session.lesson.spec
    e = html.escape
    names = session.names()
    labels = {lv.key: getattr(lv.label, lang) for lv in spec.levers}
    parts = [f"<h1>{e(getattr(spec.title, lang))}</h1>", f"<p>{e(getattr(spec.summary, lang))}</p>", f"<p class=note>{e(w['note'])}</p>"]
    for rnd in _rounds(session):
        title = f"{w['round']} {rnd.number}" if lang == "en" else f"第{rnd.number}轮"
        parts.append(f"<h2>{e(title)} · {len(rnd.packages)} {e(w['teams'])}</h2><table><tr><th>{w['rank']}</th><th>{w['team']}</th><th>{w['cost']}</th><th>{w['frontier']}</th>")
        parts += [f"<th>{e(o)}</th><th>{e(o)} {w['vs']}</th>" for o in spec.outcomes]
        parts.append(f"<th>{w['choices']}</th></tr>")
        for row in rnd.board["rows"]:
            pkg = rnd.packages.get(row["label"], {})
            choices = "; ".join(f"{e(labels[k])}: {e(str(v))}" for k, v in pkg.items())
            cells = [str(row["rank"] or ""), e(names.get(row["label"], row["label"])), f"{row['cost']:g}", "●" if row["frontier"] else ""]
            if row["error"]:
                cells.append(f"<td colspan={2 * len(spec.outcomes)} class=err>{w['failed']}: {e(row['error'])}</td>")
                parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells[:4]) + cells[4] + f"<td>{choices}</td></tr>")
                continue
            for o in spec.outcomes:
                cells += [_ci(row["outcomes"][o]), _ci(row["outcomes"][o], diff=True)]
            cells.append(choices)
            parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        parts.append("</table>")
    parts.append(f"<h2>{w['questions']}</h2><ol>")
    for step in spec.steps:
        parts.append(f"<li><b>{e(getattr(step.title, lang))}</b>: {e(getattr(step.question, lang))}<br><i>{w['look']}:</i> {e(getattr(step.look_at, lang))}</li>")
    parts.append("</ol>")
    return "\n".join(parts)


def debrief_html(session: ClassSession) -> str:
    """A standalone HTML page with both languages (a switch shows one)."""
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em}table{border-collapse:collapse;font-size:.85em}"
        "td,th{border:1px solid #bbb;padding:3px 6px}.err{color:#a00}.note{color:#555}body.zh .en,body.en .zh{display:none}"
    )
    switch = (
        "<p><label><input type=radio name=l checked onclick=\"document.body.className='en'\"> English</label> "
        "<label><input type=radio name=l onclick=\"document.body.className='zh'\"> 中文</label></p>"
    )
    head = f"<meta charset=utf-8><meta name=viewport content='width=device-width'><title>Debrief · {html.escape(session.lesson.spec.name)}</title><style>{style}</style>"
    body = f"{switch}<div class=en lang=en>{_section(session, 'en')}</div><div class=zh lang=zh>{_section(session, 'zh')}</div>"
    return f"<!doctype html><html><head>{head}</head><body class=en>{body}</body></html>"
