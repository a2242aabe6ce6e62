"""Reading district files: layers (GeoPackage, GeoJSON, zipped Shapefile) and tables (CSV, XLSX).

Readers return plain frames and remember where each row came from, so that
`sim.district.validate` can name the file, row (or feature id) and column of
every problem. Nothing here judges the contents.

A district is a folder holding, by name:

- ``communities.gpkg`` / ``.geojson`` / ``.zip`` (zipped Shapefile): one
  feature per community, polygons or points, with a 12-digit code and/or a name;
- ``population.csv`` / ``.xlsx``: one row per community, keyed by code or name
  (optional when the layer itself carries the population column);
- ``centres.gpkg`` / ``.geojson`` / ``.zip`` (optional): existing service
  centres as points, with a capacity;

or a single layer file with everything in its attributes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from sim.yamlsource import Position, SourceError

#: Extensions of layers and tables, in order of preference when several are present.
LAYER_EXTENSIONS = (".gpkg", ".geojson", ".json", ".zip", ".shp")
TABLE_EXTENSIONS = (".csv", ".xlsx")

#: Column names recognised for each role (case and spaces ignored), English and Chinese.
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "division_code", "统计用区划代码", "区划代码", "代码"),
    "name": ("name", "名称", "社区名称", "村名", "村委会", "居委会"),
    "population": ("population", "pop", "总人口", "常住人口", "人口"),
    "urban_rural_code": ("urban_rural_code", "ur_code", "城乡分类代码", "城乡分类"),
    "urban": ("urban", "城乡", "城镇"),
    "elderly": ("elderly", "老年人口", "60岁及以上"),
    "disabled": ("disabled", "残疾人", "残疾人口"),
    "low_income": ("low_income", "低保", "低保人口"),
    "migrant": ("migrant", "流动人口"),
    "staff": ("staff", "工作人员", "社区工作者"),
    "capacity": ("capacity", "容量", "服务人口"),
}


@dataclass
class Table:
    """Rows of a table or the attributes of a layer, with where each came from.

    Attributes:
        file: the file name as shown in error lines.
        frame: the values as text (``""`` where empty), one row per record.
        rows: per record, the line (CSV, XLSX row) or feature id (layers) that errors point at.
        columns: role -> the column that plays it (see `ALIASES`).
    """

    file: str
    frame: pd.DataFrame
    rows: list[int]
    columns: dict[str, str] = field(default_factory=dict)

    def col(self, role: str) -> int:
        """1-based position of the column playing ``role`` (1 when absent)."""
        name = self.columns.get(role)
        return list(self.frame.columns).index(name) + 1 if name in self.frame.columns else 1

    def where(self, i: int, role: str) -> Position:
        """Where record ``i``'s value for ``role`` is."""
        return Position(self.file, self.rows[i], self.col(role))

    def error(self, i: int, role: str, message: str) -> SourceError:
        """One problem of record ``i`` in the column playing ``role`` (key: the column's name)."""
        return SourceError(self.where(i, role), self.columns.get(role, role), message)

    def values(self, role: str) -> list[str] | None:
        """The column playing ``role`` as stripped text, or None when the table has none."""
        name = self.columns.get(role)
        return None if name is None else [str(v).strip() for v in self.frame[name]]


@dataclass
class Layer:
    """A layer: its attribute table, geometries (as read) and CRS."""

    table: Table
    geometry: gpd.GeoSeries
    crs: object
    words: str  # file and layer names, CRS name: searched for consumer-map hints


def shown(path: Path) -> str:
    """A path as error lines show it: relative to the working folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if rel.startswith("..") else rel


def find(folder: Path, stem: str, extensions: tuple[str, ...]) -> Path | None:
    """The file ``stem.<ext>`` in ``folder`` with the first extension present, or None."""
    for ext in extensions:
        candidate = folder / f"{stem}{ext}"
        if candidate.is_file():
            return candidate
    return None


def _recognise(frame: pd.DataFrame) -> dict[str, str]:
    norm = {str(c).strip().lower().replace(" ", ""): str(c) for c in frame.columns}
    found = {}
    for role, names in ALIASES.items():
        for name in names:
            if name.lower() in norm:
                found[role] = norm[name.lower()]
                break
    return found


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every value as text: numbers as written (12-digit codes keep no '.0'), missing as ''."""

    def text(v) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    return frame.map(text) if len(frame.columns) else frame


def read_table(path: Path) -> Table:
    """A CSV (UTF-8, with or without BOM, or GB18030) or XLSX (first sheet) table.

    Raises:
        SourceError: when the file cannot be read as a table.
    """
    name = shown(path)
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, dtype=object, engine="openpyxl")
        else:
            try:
                frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            except UnicodeDecodeError:
                frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="gb18030")
    except Exception as exc:  # pandas raises many types for a bad file; all are bad input
        raise SourceError(Position(name, 1, 1), "file", f"cannot read the table: {type(exc).__name__}: {str(exc).splitlines()[0][:200]} (allowed: CSV or XLSX with a header row)") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = _as_text(frame)
    # Header on line/row 1: record i is on line i + 2.
    return Table(name, frame.reset_index(drop=True), [i + 2 for i in range(len(frame))], _recognise(frame))


def read_layer(path: Path) -> Layer:
    """A GeoPackage, GeoJSON or zipped Shapefile layer (the first layer of the file).

    Raises:
        SourceError: when the file cannot be read as a layer.
    """
    name = shown(path)
    try:
        layers = pyogrio.list_layers(path)
        layer_name = str(layers[0][0]) if len(layers) else ""
        gdf = gpd.read_file(path, engine="pyogrio", fid_as_index=path.suffix.lower() == ".gpkg", on_invalid="ignore")
    except Exception as exc:  # GDAL errors come in many types; all are bad input
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise SourceError(Position(name, 1, 1), "file", f"cannot read the layer: {message} (allowed: GeoPackage, GeoJSON or a zipped Shapefile)") from None
    if path.suffix.lower() == ".gpkg":
        ids = [int(i) for i in gdf.index]
    else:
        ids = list(range(1, len(gdf) + 1))  # GeoJSON and Shapefile: features counted from 1
    attributes = _as_text(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).reset_index(drop=True))
    crs_name = gdf.crs.name if gdf.crs is not None else ""
    table = Table(name, attributes, ids, _recognise(attributes))
    return Layer(table, gdf.geometry.reset_index(drop=True), gdf.crs, " ".join([path.name, layer_name, crs_name, *attributes.columns]))
