"""A results folder's district outputs: ``communities.geojson``, ``centres.geojson``, ``district_map.png``.

Written only for a scenario with ``world.district`` (docs/districts.md).
`CommunityRecorder` follows a run week by week (it is the ``progress``
callback of `sim.CommunityModel.run`) and keeps per community the needs that
arose and were met, mean satisfaction and mean access over the last
`WEEKS` weeks; `write_district_outputs` writes them as GeoJSON in WGS84
degrees (QGIS opens it over any base map) and draws the polygons coloured by
coverage with the service centres and their catchments.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.patches import Circle, Polygon

from experiments.figures import save_figure
from sim.district.geojson import feature_collection, points

#: Weeks the per-community outcomes cover (as the summary's "last 26 weeks").
WEEKS = 26


class CommunityRecorder:
    """Per-community needs open and met, satisfaction and access over the last `WEEKS` weeks.

    Args:
        model: the `sim.CommunityModel` about to run.
        then: another progress callback to call after recording (a progress bar).
    """

    def __init__(self, model, then: Callable[[int, int], None] | None = None):
        self.model = model
        self.then = then
        self.weeks: deque = deque(maxlen=WEEKS)

    def __call__(self, done: int, total: int) -> None:
        """Record the week just run."""
        m = self.model
        n = len(m.layout.community_size)
        size = np.maximum(m.layout.community_size, 1)
        sat = np.bincount(m.residents.community, weights=m.residents.satisfaction, minlength=n) / size
        acc = np.bincount(m.residents.community, weights=m.residents.access, minlength=n) / size
        self.weeks.append((sat, acc))
        if self.then is not None:
            self.then(done, total)

    def table(self) -> dict[str, np.ndarray]:
        """Per community: needs arisen and met, coverage, satisfaction and access (means).

        Needs are people's, over the settled arrival weeks of the last `WEEKS`
        (as `coverage` counts them, `sim.fates`).
        """
        m = self.model
        n = len(m.layout.community_size)
        if not self.weeks:
            return {k: np.full(n, np.nan) for k in ("needs_arisen", "needs_met", "coverage", "satisfaction", "access")}
        met_c, arisen_c = m.fates.by_community(m.scenario.residents.max_wait_weeks, WEEKS)
        sat, acc = (np.sum([w[i] for w in self.weeks], axis=0) for i in range(2))
        k = len(self.weeks)
        return {
            "needs_arisen": arisen_c,
            "needs_met": met_c,
            "coverage": np.divide(met_c, arisen_c, out=np.full(n, np.nan), where=arisen_c > 0),
            "satisfaction": sat / k,
            "access": acc / k,
        }


def write_district_outputs(model, recorder: CommunityRecorder, folder: Path, figures: bool = True) -> list[Path]:
    """Write the district files of a results folder; returns the paths written."""
    district = model.layout.district
    table = recorder.table()
    table["agents"] = model.layout.community_size
    table["centres"] = model.facilities.per_community(len(model.layout.community_size))
    table["weeks"] = np.full(len(table["agents"]), len(recorder.weeks))
    written = [folder / "communities.geojson", folder / "centres.geojson"]
    _dump(written[0], feature_collection(district, table, wgs84=True))
    fac = model.facilities
    _dump(written[1], points(district, fac.x, fac.y, {"community": fac.community, "capacity": fac.capacity, "code": district.code[fac.community]}, wgs84=True))
    if figures:
        written.append(plot_district(model, table["coverage"], folder / "district_map.png", title=f"{model.scenario.name}: coverage, last {len(recorder.weeks)} weeks"))
    return written


def _dump(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False), encoding="utf-8")


def plot_district(model, values: np.ndarray, path: Path, title: str = "", label: str = "coverage") -> Path:
    """The district's polygons (or points) coloured by ``values``, with centres and their catchments."""
    district = model.layout.district
    cmap = plt.get_cmap("RdYlGn")
    fig, ax = plt.subplots(figsize=(8, 7))
    shown = np.nan_to_num(values, nan=0.0)
    if district.polygons is not None:
        patches, colours = [], []
        for i, polys in enumerate(district.polygons):
            for poly in polys:
                patches.append(Polygon(np.asarray(poly[0]), closed=True))
                colours.append(shown[i])
        coll = PatchCollection(patches, cmap=cmap, edgecolor="#444444", linewidth=0.6)
        coll.set_array(np.asarray(colours))
        coll.set_clim(0, 1)
        ax.add_collection(coll)
    else:
        coll = ax.scatter(district.x, district.y, c=shown, cmap=cmap, vmin=0, vmax=1, s=40, edgecolor="#444444")
    fig.colorbar(coll, ax=ax, label=label, shrink=0.8)
    fac = model.facilities
    r = model.scenario.planning.catchment_km
    for x, y in zip(fac.x, fac.y, strict=True):
        ax.add_patch(Circle((x, y), r, fill=False, linestyle="--", linewidth=0.7, edgecolor="#555555"))
    ax.scatter(fac.x, fac.y, marker="^", color="black", s=40, zorder=5, label="service centre")
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_xlabel("km east")
    ax.set_ylabel("km north")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    return save_figure(fig, path)
