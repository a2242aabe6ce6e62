"""Coordinate systems of district files: CGCS2000 Gauss–Krüger zones, metres, consumer-map offsets.

Chinese planning data comes in three kinds of coordinates:

- projected CGCS2000 Gauss–Krüger (GK) metres, in 3-degree zones (EPSG:4513–4533
  with the zone number in the false easting, e.g. x = 38 512 345 m in zone 38;
  EPSG:4534–4554 without it) or 6-degree zones (EPSG:4491–4501 with, 4502–4512
  without);
- geographic degrees, CGCS2000 (EPSG:4490) or WGS84 (EPSG:4326), which agree to
  a few centimetres;
- consumer-map degrees, GCJ-02 (Amap/Gaode, Tencent) or BD-09 (Baidu): WGS84
  shifted by 100–700 m by a published obfuscation. They look like WGS84, so
  they are recognised by what the file says of itself, and converted only
  when the scenario asks (``world.district_offset``).

Everything is projected to metres in one GK zone: a projected file keeps its
own CRS; a geographic one goes to the 3-degree zone of its central meridian.
"""

from __future__ import annotations

import numpy as np
from pyproj import CRS, Transformer

#: EPSG code of the first CGCS2000 3-degree GK CRS with the zone in the false easting (zone 25, CM 75E).
GK3_ZONED = 4513
#: EPSG code of the first CGCS2000 3-degree GK CRS without the zone (CM 75E).
GK3_PLAIN = 4534
#: The same for 6-degree zones (zone 13, CM 75E).
GK6_ZONED, GK6_PLAIN = 4491, 4502
#: Words in a file's name, layer, CRS or columns that say its degrees are a consumer map's.
OFFSET_HINTS = {"gcj02": ("gcj", "gaode", "amap", "autonavi", "tencent", "火星"), "bd09": ("bd09", "baidu", "百度")}


def gk3_epsg(central_meridian: float, zoned: bool = False) -> int:
    """EPSG code of the CGCS2000 3-degree GK CRS whose central meridian is nearest ``central_meridian`` (75–135 E)."""
    cm = int(np.clip(3 * round(central_meridian / 3), 75, 135))
    return (GK3_ZONED if zoned else GK3_PLAIN) + (cm - 75) // 3


def gk_zone_from_easting(easting: float) -> tuple[int, int] | None:
    """``(zone, EPSG)`` when an easting carries a GK zone number (its millions), else None.

    3-degree zones are numbered 25–45 and 6-degree zones 13–23, so the
    number alone says which.
    """
    zone = int(easting // 1_000_000)
    if 25 <= zone <= 45:
        return zone, GK3_ZONED + zone - 25
    if 13 <= zone <= 23:
        return zone, GK6_ZONED + zone - 13
    return None


def describe_gk(crs: CRS) -> str | None:
    """A CGCS2000 GK CRS in words (zone and central meridian), or None for another CRS."""
    if not crs.is_projected or "CGCS2000" not in crs.name or "Gauss-Kruger" not in crs.name:
        return None
    params = {p.name: p.value for p in crs.coordinate_operation.params} if crs.coordinate_operation else {}
    cm = params.get("Longitude of natural origin")
    fe = params.get("False easting", 500_000)
    zone = int(fe // 1_000_000)
    width = "6-degree" if "3-degree" not in crs.name else "3-degree"
    where = f"zone {zone} in the false easting" if zone else "no zone number in the eastings"
    return f"CGCS2000 {width} Gauss–Krüger, central meridian {cm:g}°E, {where}"


def check_coordinates(crs: CRS, x: np.ndarray, y: np.ndarray) -> str | None:
    """What is wrong with coordinates given the CRS they claim, or None.

    Catches the common mix-ups: metres in a file that says degrees (with the
    GK zone that its eastings name), eastings with a zone number in a CRS
    without one (or the other way round), and latitude/longitude swapped.
    """
    if len(x) == 0:
        return None
    ex, ny = float(np.nanmedian(x)), float(np.nanmedian(y))
    if crs.is_geographic:
        if 3 < ex < 54 and 73 < ny < 136:
            return f"coordinates like ({ex:.4f}, {ny:.4f}) look like latitude, longitude swapped (x should be the longitude)"
        if abs(ex) > 360 or abs(ny) > 90:
            hint = _zone_hint(ex)
            return f"coordinates like ({ex:.0f}, {ny:.0f}) are metres but the CRS is geographic ({crs.name}){hint}"
        return None
    params = {p.name: p.value for p in crs.coordinate_operation.params} if crs.coordinate_operation else {}
    fe = params.get("False easting")
    if fe is None or describe_gk(crs) is None:
        return None
    zoned_crs = fe >= 1_000_000
    zone_in_x = gk_zone_from_easting(ex)
    if zoned_crs and (zone_in_x is None or zone_in_x[0] != int(fe // 1_000_000)):
        return f"eastings like {ex:.0f} do not carry zone {int(fe // 1_000_000)} of {crs.name}{_zone_hint(ex)}"
    if not zoned_crs and ex > 1_000_000:
        return f"eastings like {ex:.0f} carry a zone number but {crs.name} has none{_zone_hint(ex)}"
    return None


def _zone_hint(easting: float) -> str:
    found = gk_zone_from_easting(easting)
    if found is None:
        return ""
    zone, epsg = found
    return f"; the eastings name GK zone {zone}: set world.district_crs: EPSG:{epsg} if that is what they are"


def target_crs(crs: CRS, lon: float, lat: float) -> CRS:
    """The metric CRS the district is projected to: its own if projected in metres, else the GK zone of ``lon`` (UTM outside China)."""
    if crs.is_projected and crs.axis_info and crs.axis_info[0].unit_name in ("metre", "meter"):
        return crs
    if 73 <= lon <= 136 and 3 <= lat <= 54:
        return CRS.from_epsg(gk3_epsg(lon))
    zone = int((lon + 180) // 6) + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def transformer(source: CRS, target: CRS) -> Transformer:
    """A transformer from ``source`` to ``target`` with x = easting/longitude, y = northing/latitude."""
    return Transformer.from_crs(source, target, always_xy=True)


def offset_hint(*texts: str) -> str | None:
    """``"gcj02"`` or ``"bd09"`` when a name, layer, CRS or column says so, else None."""
    joined = " ".join(texts).lower()
    for kind, words in OFFSET_HINTS.items():
        if any(w in joined for w in words):
            return kind
    return None


# ---------------------------------------------------------------------------
# GCJ-02 and BD-09 (the published obfuscation; inverse by fixed-point iteration)

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 degrees to GCJ-02 (the forward obfuscation)."""
    dlon, dlat = _delta(np.asarray(lon, float), np.asarray(lat, float))
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 degrees to WGS84, by iterating the forward transform (better than 1 cm after 5 rounds)."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(5):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        wlon, wlat = wlon - (glon - lon), wlat - (glat - lat)
    return wlon, wlat


def bd09_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 degrees to WGS84 (BD-09 is GCJ-02 shifted once more)."""
    x, y = np.asarray(lon, float) - 0.0065, np.asarray(lat, float) - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return gcj02_to_wgs84(z * np.cos(theta), z * np.sin(theta))


#: Converters from consumer-map degrees to WGS84, by the names of ``world.district_offset``.
TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}
