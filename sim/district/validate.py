"""Checks of a district's tables: keys, populations, urban–rural classes, group counts, staff.

Each check returns the clean values and appends one `SourceError` per problem
to the list it is given, naming the file, the row (or feature id) and the
column, as scenario errors do (``FILE:LINE:COL: column: problem (allowed: ...)``).
"""

from __future__ import annotations

import re

import numpy as np

from sim.district.io import ALIASES, Table
from sim.yamlsource import Position, SourceError

#: Statistical division code (统计用区划代码): 12 digits, province to village.
CODE_PATTERN = re.compile(r"^\d{12}$")
#: Urban–rural classification codes (统计用城乡划分代码) -> urban? 1xx are towns and cities, 2xx countryside.
URBAN_RURAL_CODES = {111: True, 112: True, 121: True, 122: True, 123: True, 210: False, 220: False}
#: Meaning of each code, for messages and docs.
URBAN_RURAL_MEANING = {111: "main urban area", 112: "urban-rural fringe", 121: "town centre", 122: "town-rural fringe", 123: "special area", 210: "township centre", 220: "village"}
#: Words accepted in an ``urban`` column.
URBAN_WORDS = {"1": True, "true": True, "yes": True, "urban": True, "城": True, "城镇": True, "0": False, "false": False, "no": False, "rural": False, "乡": False, "乡村": False, "农村": False}
#: Most people one community may plausibly hold (the largest Chinese residents' committees hold tens of thousands).
MAX_COMMUNITY_POPULATION = 500_000
#: Resident groups a table may count (the others are drawn from the scenario's shares).
COUNTED_GROUPS = ("elderly", "disabled", "low_income", "migrant")
#: Most staff one committee may plausibly have.
MAX_STAFF = 100


def missing_column(table: Table, role: str, why: str) -> SourceError:
    """The error for a table without a column it needs."""
    names = ", ".join(ALIASES[role])
    return SourceError(Position(table.file, 1, 1), role, f"no {role} column {why} (allowed: a header named one of {names})")


def keys(table: Table, role: str, errors: list[SourceError]) -> list[str]:
    """The key column (``code`` or ``name``), checked for format and duplicates; '' where bad."""
    values = table.values(role) or []
    seen: dict[str, int] = {}
    out = []
    for i, v in enumerate(values):
        if not v:
            errors.append(table.error(i, role, f"missing {role} (allowed: {_key_allowed(role)})"))
            out.append("")
            continue
        if role == "code" and not CODE_PATTERN.match(v):
            errors.append(table.error(i, role, f"{v!r} is not a 12-digit statistical division code (allowed: {_key_allowed(role)})"))
            out.append("")
            continue
        if v in seen:
            errors.append(table.error(i, role, f"duplicate {role} {v!r}, first at row {table.rows[seen[v]]} (allowed: each community once)"))
            out.append("")
            continue
        seen[v] = i
        out.append(v)
    return out


def _key_allowed(role: str) -> str:
    return "12 digits, e.g. 440106001001" if role == "code" else "a community name"


def number(text: str) -> float | None:
    """A number written as text, or None if it is not one."""
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def populations(table: Table, errors: list[SourceError]) -> np.ndarray:
    """Total population per row: a whole number in [1, `MAX_COMMUNITY_POPULATION`]; 0 where bad."""
    allowed = f"allowed: a whole number of people in [1, {MAX_COMMUNITY_POPULATION:,}]"
    out = np.zeros(len(table.frame), dtype=np.int64)
    for i, text in enumerate(table.values("population") or []):
        value = number(text) if text else None
        if not text:
            errors.append(table.error(i, "population", f"missing population ({allowed})"))
        elif value is None:
            errors.append(table.error(i, "population", f"{text!r} is not a number ({allowed})"))
        elif value < 0:
            errors.append(table.error(i, "population", f"negative population {text} ({allowed})"))
        elif value != int(value):
            errors.append(table.error(i, "population", f"{text} is not a whole number of people ({allowed})"))
        elif value < 1 or value > MAX_COMMUNITY_POPULATION:
            errors.append(table.error(i, "population", f"implausible population {int(value):,} for one community ({allowed})"))
        else:
            out[i] = int(value)
    return out


def urban_flags(table: Table, errors: list[SourceError]) -> np.ndarray:
    """Urban (True) or rural per row, from the urban–rural code or else an ``urban`` column."""
    out = np.zeros(len(table.frame), dtype=bool)
    codes = table.values("urban_rural_code")
    if codes is not None:
        valid = ", ".join(f"{c} {m}" for c, m in URBAN_RURAL_MEANING.items())
        for i, text in enumerate(codes):
            value = number(text) if text else None
            if value is None or int(value) != value or int(value) not in URBAN_RURAL_CODES:
                errors.append(table.error(i, "urban_rural_code", f"unknown urban-rural code {text!r} (allowed: {valid})"))
            else:
                out[i] = URBAN_RURAL_CODES[int(value)]
        return out
    words = table.values("urban")
    if words is None:
        errors.append(missing_column(table, "urban_rural_code", "and no urban column to tell towns from villages"))
        return out
    for i, text in enumerate(words):
        flag = URBAN_WORDS.get(text.lower())
        if flag is None:
            errors.append(table.error(i, "urban", f"{text!r} is neither urban nor rural (allowed: {', '.join(URBAN_WORDS)})"))
        else:
            out[i] = flag
    return out


def group_shares(table: Table, population: np.ndarray, errors: list[SourceError]) -> dict[str, np.ndarray]:
    """Share of each counted group per row (NaN where not given: the scenario's share is used)."""
    shares = {}
    for group in COUNTED_GROUPS:
        values = table.values(group)
        if values is None:
            continue
        share = np.full(len(values), np.nan)
        for i, text in enumerate(values):
            if not text:
                continue
            value = number(text)
            if value is None or value < 0:
                errors.append(table.error(i, group, f"{text!r} is not a count of people (allowed: a whole number from 0 to the population, or empty if unknown)"))
            elif population[i] and value > population[i]:
                errors.append(table.error(i, group, f"{group} count {value:,.0f} is above the population {population[i]:,} (allowed: at most the population)"))
            elif population[i]:
                share[i] = value / population[i]
        shares[group] = share
    return shares


def staff(table: Table, errors: list[SourceError]) -> np.ndarray | None:
    """Committee staff per row (NaN where not given), or None without a staff column."""
    values = table.values("staff")
    if values is None:
        return None
    out = np.full(len(values), np.nan)
    for i, text in enumerate(values):
        if not text:
            continue
        value = number(text)
        if value is None or value < 0 or value > MAX_STAFF:
            errors.append(table.error(i, "staff", f"{text!r} is not a number of staff (allowed: a number in [0, {MAX_STAFF}], or empty for the scenario's default)"))
        else:
            out[i] = value
    return out


def capacities(table: Table, errors: list[SourceError]) -> np.ndarray:
    """Capacity of each centre (people it can serve); NaN where empty (the scenario's facility_capacity is used)."""
    values = table.values("capacity") or [""] * len(table.frame)
    out = np.full(len(values), np.nan)
    for i, text in enumerate(values):
        if not text:
            continue
        value = number(text)
        if value is None or value <= 0 or value > 1e7:
            errors.append(table.error(i, "capacity", f"{text!r} is not a capacity (allowed: people a centre serves, in (0, 10_000_000], or empty for planning.facility_capacity)"))
        else:
            out[i] = value
    return out
