"""The levers the app offers, their widgets, and server-side validation.

Each `Lever` names a dotted scenario key; its unit, type and bounds come from
the scenario schema (`sim.parameters`), so the app cannot drift from what a
scenario file accepts. A slider may show a narrower teaching range than the
schema allows (``view_max``); typed values are checked against the full schema.
Every value the browser sends goes through `check_lever`, which validates it
exactly as a scenario file is validated (`sim.load_scenario`) and adds the
app's population cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sim.parameters import field_info

#: Most residents the app simulates, so that a step (two runs side by side,
#: model and charts) stays well under 100 ms; see benchmarks/bench_app.py.
MAX_RESIDENTS = 100_000
#: Fewest residents the app offers (the shipped district has 28 communities).
MIN_RESIDENTS = 2_000
#: Horizon choices offered, in weeks.
MAX_STEPS = 520


@dataclass(frozen=True)
class Lever:
    """One adjustable scenario key as the app shows it.

    Attributes:
        key: dotted scenario key, e.g. ``government.admin_tasks``.
        clause: the paper's clauses it implements (P1-P4, M1-M6, G1-G3).
        mechanism: the group it is shown under (``M1`` ... ``M6``, ``world``).
        view_max: upper end of the slider when the schema's is too wide to teach with.
        view_min: lower end of the slider when the schema's is too wide.
        step: slider step.
    """

    key: str
    clause: str
    mechanism: str
    view_max: float | None = None
    step: float | None = None
    view_min: float | None = None

    @property
    def info(self):
        """The pydantic field of the scenario schema."""
        return field_info(self.key)

    @property
    def kind(self) -> str:
        """``int``, ``float``, ``bool`` or ``choice``."""
        ann = self.info.annotation
        if isinstance(ann, type) and issubclass(ann, StrEnum):
            return "choice"
        return {bool: "bool", int: "int", float: "float"}[ann]

    @property
    def unit(self) -> str:
        """Unit of measure from the schema."""
        return (self.info.json_schema_extra or {}).get("unit", "")

    @property
    def source(self) -> str:
        """Where the default value comes from (schema)."""
        return (self.info.json_schema_extra or {}).get("source", "")

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """Schema bounds (lower, upper); None where unbounded."""
        lo = hi = None
        for m in self.info.metadata:
            for name in ("ge", "gt"):
                if getattr(m, name, None) is not None:
                    lo = getattr(m, name)
            for name in ("le", "lt"):
                if getattr(m, name, None) is not None:
                    hi = getattr(m, name)
        return lo, hi

    @property
    def slider_range(self) -> tuple[float, float]:
        """Slider ends: the schema bounds, narrowed to ``view_max`` where set."""
        lo, hi = self.bounds
        lo = 0 if lo is None else lo
        if self.view_min is not None:
            lo = max(lo, self.view_min)
        if self.view_max is not None:
            hi = self.view_max if hi is None else min(hi, self.view_max)
        return lo, hi

    @property
    def choices(self) -> list[str]:
        """Allowed values of a choice lever."""
        return [e.value for e in self.info.annotation] if self.kind == "choice" else []


#: The main levers of M1-M6 (and the problems they answer), in display order.
LEVERS: tuple[Lever, ...] = (
    Lever("government.admin_tasks", "P3, M2", "M2", view_max=300, step=5),
    Lever("committees.service_orientation", "P1", "M2", step=0.05),
    Lever("government.purchase_share", "M2, G3", "M2", step=0.05),
    Lever("government.ngo_cultivation", "M2, G3", "M2", step=0.05),
    Lever("planning.strategy", "M1, P1", "M1"),
    Lever("planning.sharing", "M1", "M1"),
    Lever("government.platform", "M1, P3", "M1"),
    Lever("planning.capital_per_capita", "M1, P4", "M1", view_max=50, step=1),
    Lever("committees.responsiveness", "M3, P2", "M3", step=0.05),
    Lever("volunteers.registration", "M4", "M4", step=0.05),
    Lever("volunteers.training_hours", "M4", "M4", view_max=100, step=5),
    Lever("volunteers.incentive_per_hour", "M4", "M4", view_max=20, step=1),
    Lever("volunteers.recognition", "M4", "M4"),
    Lever("liaison.leaders", "M5", "M5", view_max=28, step=1),
    Lever("liaison.visit_interval_weeks", "M5", "M5", step=1),
    Lever("liaison.department_funds", "M5", "M5", view_max=1_000_000, step=50_000),
    Lever("party.coordination", "P3, M4, M5", "M5", step=0.05),
    Lever("government.budget_per_capita", "M6, P4", "M6", view_max=400, step=10),
    Lever("government.allocation_rule", "G2, M6", "M6"),
    Lever("committees.pay_ratio_rural", "P4, M6", "M6", view_max=2.5, step=0.1),
    Lever("government.payroll_funding", "P4, M6", "M6", step=0.05),
    Lever("committees.transparency", "M6", "M6", step=0.05),
    Lever("funding.oversight", "M6", "M6", step=0.05),
    Lever("funding.lottery_per_capita", "M6", "M6", view_max=20, step=0.5),
)

#: Levers that build the world: changed between runs, applied at reset.
WORLD_LEVERS: tuple[Lever, ...] = (
    Lever("world.residents", "—", "world", view_max=MAX_RESIDENTS, step=1000, view_min=MIN_RESIDENTS),
    Lever("steps", "—", "world", view_max=MAX_STEPS, step=1, view_min=13),
)

#: Mechanism groups in display order.
MECHANISMS = ("M1", "M2", "M3", "M4", "M5", "M6")

BY_KEY: dict[str, Lever] = {lever.key: lever for lever in (*LEVERS, *WORLD_LEVERS)}


def app_limits(key: str, value: Any) -> str | None:
    """The app's own limits beyond the schema; a one-line problem or None."""
    if key == "world.residents" and isinstance(value, int) and not isinstance(value, bool) and not (MIN_RESIDENTS <= value <= MAX_RESIDENTS):
        return f"world.residents: {value} is outside the app's range so that a step stays fast (allowed in the app: an integer in [{MIN_RESIDENTS}, {MAX_RESIDENTS}]; run.py run takes more)"
    return None


def coerce(key: str, value: Any) -> Any:
    """Turn what a widget sends into the schema's type where that is lossless.

    Sliders send floats for integer levers (``40.0``) and text inputs send
    strings; anything that does not convert cleanly is passed on unchanged, so
    validation reports it exactly as it would in a file.
    """
    lever = BY_KEY.get(key)
    kind = lever.kind if lever else None
    if kind == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
