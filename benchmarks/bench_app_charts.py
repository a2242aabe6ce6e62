"""What an ECharts redraw costs in the browser: why the app draws its charts as two instances.

Builds the app's chart options for one week (100,000 residents, two policies
side by side, ``--weeks`` weeks in) with `app.charts`, loads the ECharts that
``solara-assets`` ships into a blank page of headless Chromium (Playwright;
no server), and times a data-only update (``setOption`` in merge mode, as a
step does) of:

- the seven time-series charts as seven instances, and as one `charts.panel`;
- the panel with its legends hidden;
- a line chart with no series (the per-instance cost that does not depend on data);
- the map and groups as one `map_charts.overview`, with and without its visual map.

Medians over ``--rounds`` rounds of ``--repeat`` updates, all in one page so
the ratios are comparable. ``docs/app.md`` quotes these figures.

Run: ``.venv/bin/python benchmarks/bench_app_charts.py [--weeks 40] [--rounds 9] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import charts, map_charts  # noqa: E402
from app.levers import MAX_RESIDENTS  # noqa: E402
from app.live import split  # noqa: E402
from app.session import Session  # noqa: E402

ECHARTS = ROOT / ".venv" / "share" / "solara" / "cdn" / "echarts@5.4.0" / "dist" / "echarts.js"
#: Pixel size of one chart of the page's panel (a third of a 940-pixel row).
CELL = (312, 300)

#: In the page: build each variant's instances in visible boxes, then time data-only updates, interleaved.
MEASURE = """async ([variants, rounds, repeat]) => {
  const setups = {};
  for (const [name, parts] of Object.entries(variants)) {
    setups[name] = parts.map(([option, data, width, height]) => {
      const box = document.createElement('div');
      box.style.cssText = `width:${width}px;height:${height}px;position:absolute;left:0;top:0`;
      document.body.appendChild(box);
      const chart = echarts.init(box);
      chart.setOption(option, true);
      return [chart, data, box];
    });
  }
  const times = Object.fromEntries(Object.keys(setups).map(name => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, list] of Object.entries(setups)) {
      for (const [, , box] of list) box.style.zIndex = 10 + r;  // the variant timed is on top, visible
      const t0 = performance.now();
      for (let i = 0; i < repeat; i++) for (const [chart, data] of list) chart.setOption(data);
      times[name].push((performance.now() - t0) / repeat);
    }
  }
  const median = xs => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return Object.fromEntries(Object.entries(times).map(([name, xs]) => [name, median(xs)]));
}"""


def variants(weeks: int) -> dict[str, list]:
    """Each variant: a list of instances as (option, data-only update, width, height)."""
    session = Session("baseline", residents=MAX_RESIDENTS, compare="integrated_reform").step(weeks)
    yours, other = charts.as_run(session.frame("yours")), charts.as_run(session.frame("other"))
    parts = charts.time_charts(yours, other, "en")
    panel = charts.panel(parts)
    width = CELL[0] * charts.PANEL_COLUMNS
    height = charts.panel_height(True)

    def instance(option: dict, w: int, h: int) -> list:
        return [option, split(option)[1], w, h]

    no_legends = {**panel, "legend": [{**legend, "show": False} for legend in panel["legend"]]}
    empty = {**parts[0][1], "series": [], "legend": {"show": False}}
    map_option = map_charts.map_chart(session.community_table(), session.facility_table(), session.catchment_km, session.area_km, "coverage", "en")
    overview = map_charts.overview(map_option, charts.group_chart(yours, other, "en"))
    no_visual_map = {key: value for key, value in overview.items() if key != "visualMap"}
    return {
        "seven instances": [instance(option, *CELL) for name, option in parts if name != "difference"] + [instance(parts[-1][1], width, charts.PANEL_WIDE_PX)],
        "one panel": [instance(panel, width, height)],
        "panel, legends hidden": [instance(no_legends, width, height)],
        "line chart with no series": [instance(empty, *CELL)],
        "overview (map and groups)": [instance(overview, width, 440)],
        "overview without visual map": [instance(no_visual_map, width, 440)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=40, help="weeks run before the charts are built (default 40)")
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds; the median is printed (default 9)")
    parser.add_argument("--repeat", type=int, default=5, help="updates per round (default 5)")
    args = parser.parse_args()
    if args.weeks < 1 or args.rounds < 1 or args.repeat < 1:
        parser.error("--weeks, --rounds and --repeat must be at least 1")
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from test_app_browser import CHROMIUM, CHROMIUM_ARGS  # the browser tests' Chromium and flags

    built = json.loads(json.dumps(variants(args.weeks)))  # as the browser receives them
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1300})
        page.set_content("<html><body style='margin:0'></body></html>")
        page.add_script_tag(path=str(ECHARTS))
        result = page.evaluate(MEASURE, [built, args.rounds, args.repeat])
        browser.close()
    print(f"data-only update of one week ({MAX_RESIDENTS:,} residents, two policies, week {args.weeks}), median of {args.rounds} rounds:")
    for name, ms in result.items():
        print(f"  {name:<30} {ms:6.1f} ms")
    print(f"one panel / seven instances: {result['one panel'] / result['seven instances']:.2f}")
    print(f"legends' share of the panel: {1 - result['panel, legends hidden'] / result['one panel']:.0%}")
    print(f"visual map's cost in the overview: {result['overview (map and groups)'] - result['overview without visual map']:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
