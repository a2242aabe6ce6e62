"""Presentation mode: the map, the "this week" table and a lesson's two or three charts on one projected screen.

Switched on by the page's toggle or by the address (``?present=1``, and
``&charts=coverage,gap`` to choose the charts). The lever panel is hidden,
type is at least `FONT_PX`, and the week counter is large (the page's CSS,
app/layout.css). This module holds what is not layout: which charts are
shown, reading the address, and making a chart option's type large.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from app.charts import PANEL

#: Smallest type in presentation mode, in CSS pixels (issue 14: a room reads a projector from afar).
FONT_PX = 18
#: The charts shown by default: the lesson of the paper is coverage and the urban-rural gap;
#: side by side, the difference between the two policies replaces the gap.
DEFAULT_CHARTS = ("coverage", "gap")
DEFAULT_COMPARED = ("coverage", "difference")
#: Charts that presentation mode can show, and the most at once.
CHOICES = (*PANEL, "difference")
MAX_CHARTS = 3


def from_query(search: str | None) -> tuple[bool, tuple[str, ...]]:
    """Presentation mode and its charts from the address's query string (``present=1&charts=coverage,gap``).

    Unknown chart names are dropped (an address is typed by hand in class);
    none left, the defaults apply.
    """
    query = parse_qs((search or "").lstrip("?"))
    on = (query.get("present") or ["0"])[-1].lower() in ("1", "true", "yes", "on")
    names = [n.strip() for part in query.get("charts", []) for n in part.split(",")]
    chosen = tuple(dict.fromkeys(n for n in names if n in CHOICES))[:MAX_CHARTS]
    return on, chosen


def charts_shown(chosen: tuple[str, ...], compared: bool) -> tuple[str, ...]:
    """The charts presentation mode draws: the chosen ones, else the defaults (no difference chart without a comparison)."""
    names = chosen or (DEFAULT_COMPARED if compared else DEFAULT_CHARTS)
    return tuple(n for n in names if compared or n != "difference") or DEFAULT_CHARTS


def enlarge(option: dict, size: int = FONT_PX) -> dict:
    """``option`` with every text (titles, legends, axis labels and names, colour scale, tooltip) at least ``size`` px.

    Margins in the option's ``layout`` grow with the type, so axis labels keep their room.
    """
    out = dict(option)
    big = {"fontSize": size}

    def each(key: str) -> list[dict]:
        value = out.get(key)
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        copies = [dict(item) for item in items]
        out[key] = copies if isinstance(value, list) else copies[0]
        return copies

    for title in each("title"):
        title["textStyle"] = {**title.get("textStyle", {}), "fontSize": size + 2}
        title["subtextStyle"] = {**title.get("subtextStyle", {}), **big}
    for legend in each("legend"):
        legend["textStyle"] = {**legend.get("textStyle", {}), **big}
        legend["itemWidth"], legend["itemHeight"] = 30, 16
    for key in ("xAxis", "yAxis"):
        for axis in each(key):
            axis["axisLabel"] = {**axis.get("axisLabel", {}), **big}
            axis["nameTextStyle"] = {**axis.get("nameTextStyle", {}), **big}
            if key == "xAxis" and "nameGap" in axis:
                axis["nameGap"] = axis["nameGap"] + size - 10
    for scale in each("visualMap"):
        scale["textStyle"] = {**scale.get("textStyle", {}), **big}
    for tip in each("tooltip"):
        tip["textStyle"] = {**tip.get("textStyle", {}), **big}
    layout = out.get("layout")
    if layout:
        grow = size / 12
        out["layout"] = {**layout, "font": size}
        if "cells" in layout:
            out["layout"]["cells"] = [{**cell, **{k: round(cell[k] * grow) for k in ("left", "right", "bottom")}} for cell in layout["cells"]]
        if "left" in layout:
            out["layout"]["left"] = round(layout["left"] * grow)
    return out
