"""The app's charts as one PNG, drawn with matplotlib in the chosen language.

The same panels as the live charts (and the difference when two runs are
side by side), with Chinese labels rendered through the CJK font fallback of
`experiments.fonts`.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from app.charts import DIFFERENCE, LINE_CHARTS
from app.i18n import chart_title, group_name, outcome_name, tr
from experiments.fonts import use_cjk_fonts
from sim import GROUPS
from sim.ledger import SOURCES


def charts_png(session, lang: str = "en", dpi: int = 90) -> bytes:
    """Draw the session's live charts into one PNG and return its bytes."""
    use_cjk_fonts()
    yours, other = session.frame("yours"), (session.frame("other") if session.other is not None else None)
    panels = 8 if other is not None else 7
    fig, axes = plt.subplots(2, 4, figsize=(18, 8))
    weeks = yours.index
    for ax, chart in zip(axes.flat, LINE_CHARTS, strict=False):
        names, share = LINE_CHARTS[chart]
        for i, name in enumerate(names):
            (line,) = ax.plot(weeks, yours[name], label=outcome_name(name, lang))
            if other is not None:
                ax.plot(other.index, other[name], linestyle="--", color=line.get_color(), label=f"{outcome_name(name, lang)} ({tr('other', lang)})" if i == 0 else None)
        if share:
            ax.set_ylim(0, 1)
        ax.set_title(chart_title(chart, lang))
    ax = axes.flat[4]
    ax.plot(weeks, yours["volunteer_rate"], label=outcome_name("volunteer_rate", lang))
    if other is not None:
        ax.plot(other.index, other["volunteer_rate"], "--", label=f"{outcome_name('volunteer_rate', lang)} ({tr('other', lang)})")
    ax.set_title(chart_title("volunteers", lang))
    ax = axes.flat[5]
    if len(yours):
        ax.stackplot(weeks, *[yours[f"source_{s}"] for s in SOURCES], labels=[outcome_name(f"source_{s}", lang) for s in SOURCES])
    ax.set_title(chart_title("spending", lang))
    ax = axes.flat[6]
    labels = [*GROUPS, "urban", "rural"]
    x = np.arange(len(labels))
    if len(yours):
        last = yours.iloc[-1]
        ax.bar(x - 0.2, [last[f"coverage_{g}"] for g in labels], 0.4, label=outcome_name("coverage", lang))
        ax.bar(x + 0.2, [last[f"satisfaction_{g}"] for g in labels], 0.4, label=outcome_name("satisfaction", lang))
    ax.set_xticks(x, [group_name(g, lang) for g in labels], rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_title(chart_title("groups", lang))
    ax = axes.flat[7]
    if other is not None:
        n = min(len(yours), len(other))
        for name in DIFFERENCE:
            ax.plot(weeks[:n], yours[name].to_numpy()[:n] - other[name].to_numpy()[:n], label=outcome_name(name, lang))
        ax.axhline(0, color="#555", linewidth=0.8)
        ax.set_title(chart_title("difference", lang))
    else:
        ax.set_axis_off()
    for ax in axes.flat[:panels]:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    title = f"{session.preset}" + (f"  vs  {session.compare}" if other is not None else "") + f" — {tr('seed', lang)} {session.seed}, {tr('week', lang)} {session.week}{tr('week_suffix', lang)}"
    fig.suptitle(title)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()
