"""Scenario parameters: every lever, its default, unit, range and source.

This file is the single source of truth for the model's parameters. Each
field is declared with `param`, which records the unit and where the default
comes from: a figure in the source paper (``paper: ...``, see
``../shared/DESIGN.md`` section 2), a cited study, or ``assumption``. The
parameter table in ``docs/ODD.md`` is generated from these declarations
(``python -m sim.parameters``), so the two cannot drift apart.

Clause ids (P1-P4 problems, M1-M6 mechanisms, G1-G3 lenses) say which part of
the paper a lever implements.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: Resident groups (overlapping flags), in bit order. DESIGN section 3.
GROUPS = ("elderly", "disabled", "youth", "working_adults", "low_income", "migrant")

#: Service categories named by the paper (section 1 of the seed text).
CATEGORIES = (
    "health",
    "education",
    "culture",
    "safety",
    "family_planning",
    "environment",
    "social_security",
    "relief",
)


def param(default: Any, *, unit: str, source: str, doc: str, **bounds: Any) -> Any:
    """Declare a scenario field with its unit, source and bounds.

    Args:
        default: the default value.
        unit: unit of measure ("share", "weeks", "yuan/person/year", ...).
        source: where the default comes from ("paper: ...", a study, or "assumption").
        doc: one sentence saying what the lever does.
        **bounds: pydantic bounds (ge, le, gt, lt).
    """
    return Field(default, description=doc, json_schema_extra={"unit": unit, "source": source}, **bounds)


class Section(BaseModel):
    """Base of every scenario section: closed (unknown keys refused), strict, finite."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


class AllocationRule(StrEnum):
    """How public finance is split between communities (G2, M6)."""

    per_capita = "per_capita"
    needs_based = "needs_based"
    urban_biased = "urban_biased"
    equalising = "equalising"


class PlanningStrategy(StrEnum):
    """How new facilities are sited (M1)."""

    ad_hoc = "ad_hoc"
    population_weighted = "population_weighted"
    coverage_max = "coverage_max"
    equity_first = "equity_first"


class CoordinateOffset(StrEnum):
    """Consumer-map offsets of district coordinates (``world.district_offset``)."""

    detect = "detect"
    none = "none"
    gcj02 = "gcj02"
    bd09 = "bd09"


class World(Section):
    """The district: population, communities and geography."""

    residents: int = param(40_000, ge=100, unit="agents", source="assumption: a district of ~40,000 people", doc="Resident agents in total.")
    scale: float = param(1.0, ge=1.0, le=1000.0, unit="people/agent", source="assumption", doc="People each resident agent stands for; outcomes are in real-population units.")
    urban_communities: int = param(
        3,
        ge=0,
        le=100_000,
        unit="communities",
        source="assumption; ratio of the paper's 84,689 urban communities to 599,000 villages scaled to a mixed district",
        doc="Urban residents' committees (居委会).",
    )
    rural_communities: int = param(25, ge=0, le=100_000, unit="communities", source="assumption (see urban_communities)", doc="Village committees (村委会).")
    urban_population_share: float = param(
        0.48, ge=0.0, le=1.0, unit="share", source="assumption near China's 2014 urbanisation rate of 54.8% (NBS 2015)", doc="Share of residents living in urban communities."
    )
    area_km: float = param(30.0, gt=0.0, le=1000.0, unit="km", source="assumption: a county-sized square district", doc="Side of the square district.")
    ties_per_resident: int = param(
        6, ge=2, le=50, unit="ties", source="assumption (small-world network, Watts & Strogatz 1998)", doc="Social ties per resident (even number of ring neighbours before rewiring)."
    )
    tie_rewiring: float = param(
        0.1, ge=0.0, le=1.0, unit="probability", source="assumption (Watts & Strogatz 1998)", doc="Probability that a tie is rewired to a random resident of the same community."
    )
    # Districts from data (docs/districts.md): with a district, the files set the communities, urban share and extent.
    district: str = param("", unit="path", source="file", doc="District folder or layer file (relative to the scenario file) replacing the synthetic layout; empty for the synthetic district.")
    district_crs: str = param("", unit="CRS", source="file", doc="Coordinate reference system of district files that declare none, e.g. EPSG:4547 (overrides theirs when set).")
    district_offset: CoordinateOffset = param(
        CoordinateOffset.detect,
        strict=False,
        unit="choice",
        source="file",
        doc="Consumer-map offset of district degrees: detect (refuse files that say GCJ-02/BD-09), none, or gcj02/bd09 to convert them to WGS84.",
    )


class Residents(Section):
    """Who lives there and what they need (P2, M3)."""

    elderly_share_urban: float = param(0.14, ge=0.0, le=1.0, unit="share", source="NBS 2015: people aged 60+ were 15.5% of the population in 2014; lower in cities", doc="Elderly share, urban.")
    elderly_share_rural: float = param(0.17, ge=0.0, le=1.0, unit="share", source="NBS 2015 (15.5% nationally); villages older because of out-migration", doc="Elderly share, rural.")
    disabled_share: float = param(0.063, ge=0.0, le=1.0, unit="share", source="Second National Sample Survey on Disability 2006: 6.34%", doc="Share with a disability.")
    youth_share: float = param(0.2, ge=0.0, le=1.0, unit="share", source="assumption near census 2010 share of people aged 14-28", doc="Youth share.")
    low_income_share_urban: float = param(0.025, ge=0.0, le=1.0, unit="share", source="MCA 2014 bulletin: 18.8 million urban dibao recipients", doc="Low-income (dibao) share, urban.")
    low_income_share_rural: float = param(0.085, ge=0.0, le=1.0, unit="share", source="MCA 2014 bulletin: 52.1 million rural dibao recipients", doc="Low-income (dibao) share, rural.")
    migrant_share_urban: float = param(0.25, ge=0.0, le=1.0, unit="share", source="NBS 2015: 253 million floating population, mostly in cities", doc="Migrant share, urban.")
    migrant_share_rural: float = param(0.03, ge=0.0, le=1.0, unit="share", source="assumption", doc="Migrant share, rural.")
    need_rate: float = param(
        0.008,
        ge=1e-5,
        le=1.0,
        unit="needs/person/week",
        source="assumption: about 0.4 service needs per person per year, 0.7 on average with group needs, more for vulnerable groups (P2)",
        doc="Base weekly rate of a service need; group profiles multiply it.",
    )
    awareness: float = param(0.6, ge=0.0, le=1.0, unit="probability", source="assumption (P1: weak awareness of services)", doc="Initial probability that a resident in need asks for a service.")
    participation_propensity: float = param(0.15, ge=0.0, le=1.0, unit="probability/week", source="assumption", doc="Mean weekly propensity to take part in community affairs (M3).")
    max_wait_weeks: int = param(8, ge=1, le=104, unit="weeks", source="assumption", doc="Weeks a resident keeps asking before giving up on a need.")


class Committees(Section):
    """Community committees: staff, time, pay, morale (P1, P3, P4, M3)."""

    staff_urban: float = param(5.1, gt=0.0, le=100.0, unit="staff/community", source="paper: 431,000 members / 84,689 urban communities", doc="Staff per urban committee.")
    staff_rural: float = param(3.9, gt=0.0, le=100.0, unit="staff/community", source="paper: 2.34 million members / 599,000 villages", doc="Staff per village committee.")
    hours_urban: float = param(40.0, gt=0.0, le=80.0, unit="hours/staff/week", source="PRC Labour Law standard week", doc="Working hours per urban staff member.")
    hours_rural: float = param(35.0, gt=0.0, le=80.0, unit="hours/staff/week", source="assumption: many village cadres are part-time", doc="Working hours per village staff member.")
    pay_ratio_urban: float = param(1.2, ge=0.0, le=5.0, unit="x minimum wage", source="assumption (P4: pay low)", doc="Urban staff pay relative to the local minimum wage.")
    pay_ratio_rural: float = param(
        0.8, ge=0.0, le=5.0, unit="x minimum wage", source="paper P4: pay sometimes below the local minimum wage", doc="Village staff pay relative to the local minimum wage."
    )
    minimum_wage: float = param(1500.0, gt=0.0, le=100_000.0, unit="yuan/month", source="MOHRSS 2014: provincial minimum wages ranged about 1,000-1,800 yuan/month", doc="Local monthly minimum wage.")
    service_orientation: float = param(
        0.5, ge=0.0, le=1.0, unit="share", source="assumption (P1: control favoured over service)", doc="Share of non-administrative hours spent on services rather than control work."
    )
    responsiveness: float = param(0.2, ge=0.0, le=1.0, unit="share", source="assumption (M3)", doc="How far committees act on residents' requests: learning of the service mix and participation.")
    transparency: float = param(0.3, ge=0.0, le=1.0, unit="share", source="assumption (M6: 居务公开)", doc="Openness of committee accounts; cuts leakage and builds trust.")
    hours_per_need: float = param(2.0, ge=0.1, le=100.0, unit="hours/need", source="assumption", doc="Staff hours needed to meet one service need.")
    turnover_rate: float = param(
        0.003, ge=0.0, le=0.2, unit="share/week", source="assumption: ~15%/year for well-paid staff", doc="Weekly departure hazard at full morale; low morale raises it up to 4x."
    )
    refill_weeks: float = param(12.0, ge=1.0, le=104.0, unit="weeks", source="assumption", doc="Mean delay before a vacancy is refilled.")
    new_staff_skill: float = param(0.5, ge=0.0, le=1.0, unit="share", source="assumption", doc="Skill of a newly hired staff member (experienced staff approach 1).")
    service_hour_cost: float = param(
        30.0, ge=1.0, le=10_000.0, unit="yuan/hour", source="assumption: community worker wage plus overhead", doc="Cost of one extra service hour bought from a committee's own budget."
    )


class Government(Section):
    """Government: admin burden, budget, allocation, purchasing (P3, P4, M1, M2, G2, G3)."""

    admin_tasks: int = param(100, ge=0, le=1000, unit="tasks", source="paper: ~100 administrative tasks in 9 categories per committee", doc="Administrative tasks pushed down to every committee (P3).")
    hours_per_task: float = param(
        0.7, ge=0.0, le=40.0, unit="hours/task/week", source="assumption: ~35% of urban and ~55% of village staff time on admin at 100 tasks", doc="Weekly staff hours one administrative task takes."
    )
    platform: bool = param(False, unit="on/off", source="paper M1: integrated information platform", doc="Integrated information platform and community database (M1).")
    platform_time_saving: float = param(0.3, ge=0.0, le=0.9, unit="share", source="assumption", doc="Share of admin hours per task the platform saves.")
    payroll_funding: float = param(
        1.0,
        ge=0.0,
        le=2.0,
        unit="share",
        source="assumption: the county funds committee pay in full in the status quo; P4 (underfunding) when below 1",
        doc="Share of the committees' full pay bill (every post at its pay ratio) the county sends to committee accounts each week; committees pay wages from their accounts and owe what they cannot pay (P4).",
    )
    budget_per_capita: float = param(
        60.0,
        ge=0.0,
        le=100_000.0,
        unit="yuan/person/year",
        source="assumption (P4: underfunding)",
        doc="Public finance for community service operations (staff pay is a separate line set by the pay ratios).",
    )
    allocation_rule: AllocationRule = param(
        AllocationRule.urban_biased, strict=False, unit="rule", source="paper G2/P4: urban-biased status quo", doc="How public finance is split between communities (G2)."
    )
    urban_bias: float = param(
        2.0, ge=1.0, le=10.0, unit="x", source="assumption: urban per-capita weight under the urban-biased rule", doc="Weight of an urban resident relative to a rural one under urban_biased."
    )
    purchase_share: float = param(0.05, ge=0.0, le=1.0, unit="share", source="assumption (M2, G3)", doc="Share of public finance spent buying services from NGOs.")
    tender_quality_weight: float = param(0.5, ge=0.0, le=1.0, unit="share", source="assumption", doc="Weight of quality against price when scoring NGO bids.")
    tender_interval_weeks: int = param(13, ge=1, le=104, unit="weeks", source="assumption: quarterly tenders", doc="Weeks between tenders.")
    ngo_cultivation: float = param(0.0, ge=0.0, le=1.0, unit="share", source="assumption (M2: cultivate NGOs)", doc="Support for new NGOs: raises entry and start-up capacity.")


class Funding(Section):
    """Money beyond general public finance, and its oversight (M6, P4)."""

    lottery_per_capita: float = param(
        3.0, ge=0.0, le=10_000.0, unit="yuan/person/year", source="assumption (M6: welfare-lottery public-welfare funds)", doc="Lottery welfare funds, used for facilities and volunteers."
    )
    donations_per_capita_urban: float = param(3.0, ge=0.0, le=10_000.0, unit="yuan/person/year", source="assumption", doc="Donations from enterprises, groups and individuals, urban.")
    donations_per_capita_rural: float = param(0.5, ge=0.0, le=10_000.0, unit="yuan/person/year", source="assumption", doc="Donations, rural.")
    fees_per_capita_urban: float = param(4.0, ge=0.0, le=10_000.0, unit="yuan/person/year", source="assumption (便民利民 paid services)", doc="Fees from paid convenience services, urban.")
    fees_per_capita_rural: float = param(0.5, ge=0.0, le=10_000.0, unit="yuan/person/year", source="assumption", doc="Fees, rural.")
    leakage_rate: float = param(0.15, ge=0.0, le=1.0, unit="share", source="assumption (M6: oversight of funds)", doc="Share of inflows lost with no transparency and no oversight.")
    oversight: float = param(0.2, ge=0.0, le=1.0, unit="share", source="assumption", doc="Government audit strength; cuts leakage together with transparency.")
    committee_spend_rate: float = param(0.25, ge=0.0, le=1.0, unit="share/week", source="assumption", doc="Share of a committee's free balance spent each week on extra service hours.")


class Planning(Section):
    """Facility planning and access (M1)."""

    strategy: PlanningStrategy = param(PlanningStrategy.ad_hoc, strict=False, unit="strategy", source="paper P1: no long-term planning", doc="How new facilities are sited.")
    capital_per_capita: float = param(
        10.0, ge=0.0, le=100_000.0, unit="yuan/person/year", source="assumption: about one new centre a year in the 40,000-person district", doc="Capital budget for new facilities."
    )
    facility_cost: float = param(400_000.0, ge=10_000.0, le=1e9, unit="yuan", source="assumption: a community service centre", doc="Construction cost of one service centre.")
    facility_capacity: float = param(4000.0, ge=100.0, le=1e7, unit="people", source="assumption", doc="People one centre can serve (E2SFCA supply).")
    running_cost: float = param(40_000.0, ge=0.0, le=1e8, unit="yuan/year", source="assumption", doc="Yearly running cost of one centre.")
    catchment_km: float = param(2.5, gt=0.0, le=100.0, unit="km", source="assumption near the '15-minute life circle'", doc="Catchment radius of a centre (Gaussian E2SFCA).")
    sharing: bool = param(False, unit="on/off", source="paper M1: share facilities between neighbouring communities", doc="Let residents use centres of neighbouring communities.")
    cycle_weeks: int = param(52, ge=1, le=520, unit="weeks", source="assumption: yearly plans", doc="Weeks between planning rounds.")
    initial_coverage_urban: float = param(
        0.8, ge=0.0, le=1.0, unit="share", source="assumption (paper P4: centres missing, worst in villages)", doc="Share of urban communities with a centre at the start."
    )
    initial_coverage_rural: float = param(0.15, ge=0.0, le=1.0, unit="share", source="assumption (paper P4)", doc="Share of villages with a centre at the start.")


class NGOs(Section):
    """Social organisations that take government contracts (M2, G3)."""

    initial: int = param(2, ge=0, le=1000, unit="NGOs", source="assumption", doc="NGOs active at the start.")
    max_ngos: int = param(40, ge=0, le=10_000, unit="NGOs", source="assumption", doc="Upper bound on active NGOs.")
    capacity_hours: float = param(60.0, ge=1.0, le=100_000.0, unit="hours/week", source="assumption", doc="Service hours a new NGO can deliver.")
    cost_per_hour: float = param(35.0, ge=1.0, le=10_000.0, unit="yuan/hour", source="assumption", doc="Mean NGO cost of a service hour.")
    quality: float = param(0.6, ge=0.0, le=1.0, unit="share", source="assumption", doc="Mean quality of a new NGO's services.")
    entry_rate: float = param(0.3, ge=0.0, le=1.0, unit="probability/tender", source="assumption", doc="Chance that a new NGO enters when contracts go unfilled.")


class Volunteers(Section):
    """The volunteer lifecycle (M4)."""

    initial_share: float = param(0.021, ge=0.0, le=1.0, unit="share", source="paper: 29 million+ volunteers / 1.37 billion people", doc="Residents volunteering at the start.")
    recruitment_rate: float = param(
        0.0016, ge=0.0, le=1.0, unit="probability/month", source="assumption: keeps the baseline near 2%", doc="Monthly chance that a resident of average propensity starts volunteering."
    )
    peer_effect: float = param(2.0, ge=0.0, le=50.0, unit="x", source="assumption", doc="Extra recruitment per unit share of one's ties who volunteer.")
    registration: float = param(0.2, ge=0.0, le=1.0, unit="share", source="assumption (M4: shared registration records)", doc="Share of recruits who are registered.")
    training_hours: float = param(0.0, ge=0.0, le=500.0, unit="hours/year", source="assumption", doc="Training given to each registered volunteer.")
    incentive_per_hour: float = param(0.0, ge=0.0, le=1000.0, unit="yuan/hour", source="assumption (M4: incentives, time banks)", doc="Incentive paid per volunteer hour.")
    recognition: bool = param(False, unit="on/off", source="paper M4: recognition", doc="Public recognition of volunteers.")
    hours_per_week: float = param(2.0, gt=0.0, le=40.0, unit="hours/week", source="assumption", doc="Hours a volunteer offers each week.")
    dropout_rate: float = param(0.01, ge=0.0, le=1.0, unit="share/week", source="assumption: ~40%/year", doc="Weekly dropout hazard of an untrained, unrewarded volunteer.")


class Liaison(Section):
    """Leaders linked to communities (M5)."""

    leaders: int = param(0, ge=0, le=100_000, unit="leaders", source="paper M5 (status quo: no systematic liaison)", doc="County/street leaders each linked to communities.")
    communities_per_leader: int = param(1, ge=1, le=100, unit="communities", source="paper M5: at least one community each", doc="Communities each leader is linked to.")
    visit_interval_weeks: int = param(4, ge=1, le=52, unit="weeks", source="assumption: monthly visits", doc="Weeks between a leader's visits to a community.")
    hours_per_case: float = param(
        1.0,
        gt=0.0,
        le=100.0,
        unit="hours/case",
        source="assumption: an hour of a leader's coordination per hard case",
        doc="Leader time a visit spends on one hard case; a visit takes on at most hours_per_visit / hours_per_case of the community's longest-waiting requests (M5).",
    )
    mobilised_funds: float = param(
        5_000.0, ge=0.0, le=1e8, unit="yuan/visit", source="assumption", doc="Most a visit moves from the liaison pot (line departments' money, department_funds) to the visited committee (M5)."
    )
    department_funds: float = param(
        0.0,
        ge=0.0,
        le=1e9,
        unit="yuan/year",
        source="assumption (M5: leaders coordinate departments' resources); 0 in the status quo",
        doc="Line departments' money that leaders may mobilise for their communities, paid into the liaison pot weekly; unspent money stays in the pot.",
    )
    hours_per_visit: float = param(4.0, ge=0.0, le=100.0, unit="hours", source="assumption", doc="Leader time per visit.")


class Party(Section):
    """The party committee's overall leadership of community building (党委统一领导, DESIGN section 2)."""

    coordination: float = param(
        0.0,
        ge=0.0,
        le=1.0,
        unit="share",
        source="assumption; paper section 1 (党委统一领导) and M4/M5 (community party organisation as coordinator); 0: no effective coordination in the status quo",
        doc="How effectively the party committee coordinates departments and the community party organisation: consolidates duplicated pushed-down tasks (P3), drives volunteer recruitment (M4) and arranges leaders' visits (M5).",
    )
    duplicate_task_share: float = param(
        0.2,
        ge=0.0,
        le=1.0,
        unit="share",
        source="assumption: tasks pushed down by several departments at once (P3: 9 categories, ~100 tasks)",
        doc="Share of pushed-down administrative tasks that duplicate another department's and that coordination consolidates.",
    )
    volunteer_drive: float = param(
        0.5,
        ge=0.0,
        le=5.0,
        unit="x",
        source="assumption (paper M4: volunteer service under the community party committee's advocacy and support)",
        doc="Extra volunteer recruitment at full coordination.",
    )
    visit_boost: float = param(
        0.5, ge=0.0, le=5.0, unit="x", source="assumption (paper M5: the party organisation as the working body of liaison)", doc="Extra hard cases a leader's visit can take on at full coordination."
    )


class Behaviour(Section):
    """What the model assumes people and organisations do: not policy levers.

    Every default is an assumption (ODD section 7); they are scenario keys so
    that a sensitivity analysis can vary them like any other parameter.
    """

    satisfaction_step: float = param(
        0.3,
        gt=0.0,
        le=1.0,
        unit="share",
        source="assumption",
        doc="How far a resident's satisfaction moves towards a need's outcome (its quality when met, 0 when she gives up; half of that when an unmet need lapses unasked).",
    )
    waiting_penalty: float = param(0.02, ge=0.0, le=1.0, unit="per week", source="assumption", doc="Satisfaction a resident loses each week a request waits.")
    trust_step: float = param(0.05, ge=0.0, le=1.0, unit="share/week", source="assumption", doc="Weekly smoothing of trust towards 0.6 satisfaction + 0.4 committee integrity.")
    word_of_mouth: float = param(0.1, ge=0.0, le=1.0, unit="share/month", source="assumption", doc="Monthly pull of satisfaction and awareness towards the mean of one's ties.")
    morale_step: float = param(0.05, ge=0.0, le=1.0, unit="share/week", source="assumption", doc="Weekly smoothing of committee staff morale towards its target (pay, overload).")
    staff_learning: float = param(0.01, ge=0.0, le=1.0, unit="share/week", source="assumption", doc="Weekly skill gain of committee staff, towards 1.")
    mix_learning: float = param(
        0.2, ge=0.0, le=1.0, unit="share/week", source="assumption", doc="How fast a committee's service mix moves towards what residents ask, at full responsiveness and participation (M3)."
    )
    volunteer_quality: float = param(0.6, ge=0.0, le=1.0, unit="quality", source="assumption", doc="Quality of a need met by volunteers' hours.")
    visit_quality: float = param(0.7, ge=0.0, le=1.0, unit="quality", source="assumption", doc="Quality of a need resolved by a leader's visit (M5).")
    match_informal: float = param(0.4, ge=0.0, le=1.0, unit="share", source="assumption", doc="Share of an informal volunteer's hours that reach a need.")
    match_registered: float = param(0.7, ge=0.0, le=1.0, unit="share", source="assumption (M4: registration and matching)", doc="Share of a registered volunteer's hours that reach a need.")
    platform_match_bonus: float = param(
        0.2, ge=0.0, le=1.0, unit="share", source="assumption (M1/M3: information platform)", doc="Extra share of registered hours matched with the information platform (the total is capped at 1)."
    )
    incentive_saturation: float = param(10.0, gt=0.0, le=1e6, unit="yuan/hour", source="assumption", doc="Volunteer incentive at which its effects on recruitment, burnout and dropout saturate.")
    training_scale: float = param(40.0, gt=0.0, le=1e4, unit="hours", source="assumption", doc="Training hours per e-fold of a registered volunteer's skill gap.")
    trust_prior: float = param(0.5, ge=0.0, le=1.0, unit="share", source="assumption", doc="Integrity residents assume of a committee whose accounts they cannot see (trust with no transparency).")
    leak_aversion: float = param(
        4.0,
        ge=0.0,
        le=100.0,
        unit="x",
        source="assumption: a quarter of inflows seen to leak destroys perceived integrity",
        doc="How much perceived integrity falls per unit leakage share that open accounts let residents see (M6).",
    )
    arrears_morale: float = param(0.3, ge=0.0, le=1.0, unit="share", source="assumption (P4: pay arrears and motivation)", doc="Fall of staff morale's target when a month or more of wages is owed.")
    outreach_base: float = param(0.3, ge=0.0, le=1.0, unit="share", source="assumption", doc="Committee contact that reaches residents' awareness whatever its policies (word of mouth, P1).")
    outreach_service: float = param(0.4, ge=0.0, le=1.0, unit="share", source="assumption (P1: service orientation)", doc="Extra awareness reach per unit service orientation.")
    outreach_contact: float = param(0.3, ge=0.0, le=1.0, unit="share", source="assumption (M3: regular contact)", doc="Extra awareness reach per unit responsiveness.")
    participation_responsiveness: float = param(
        0.7,
        ge=0.0,
        le=1.0,
        unit="share",
        source="assumption (M3: people stop coming where nothing they say is acted on)",
        doc="Weight of responsiveness in participation: participation scales with (1 - w) + w x responsiveness.",
    )
    new_volunteer_skill: float = param(0.1, ge=0.0, le=1.0, unit="skill", source="assumption", doc="Skill of a new volunteer, and of informal ones throughout.")


class Config(Section):
    """A whole scenario as validated data (the body of a YAML file)."""

    name: str = param("unnamed", unit="text", source="file", doc="Short scenario name.")
    description: str = param("", unit="text", source="file", doc="What policy this scenario stands for.")
    seed: int = param(42, ge=0, le=2**63 - 1, unit="seed", source="assumption", doc="Default random seed.")
    steps: int = param(104, ge=1, le=5200, unit="weeks", source="assumption: two years", doc="Horizon of a run (one step is one week).")
    world: World = World()
    residents: Residents = Residents()
    committees: Committees = Committees()
    government: Government = Government()
    funding: Funding = Funding()
    planning: Planning = Planning()
    ngos: NGOs = NGOs()
    volunteers: Volunteers = Volunteers()
    liaison: Liaison = Liaison()
    party: Party = Party()
    behaviour: Behaviour = Behaviour()


#: Section name -> section class, the registry used for key lookups and docs.
SECTIONS: dict[str, type[Section]] = {name: info.annotation for name, info in Config.model_fields.items() if isinstance(info.annotation, type) and issubclass(info.annotation, Section)}


def field_info(dotted: str):
    """Return the pydantic FieldInfo for a dotted key such as ``government.admin_tasks``.

    Raises:
        KeyError: if the key does not name a field.
    """
    cls: type[BaseModel] = Config
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        info = cls.model_fields[part]
        if i == len(parts) - 1:
            return info
        cls = info.annotation
    raise KeyError(dotted)  # pragma: no cover


def all_keys() -> list[str]:
    """Every settable dotted key, in declaration order."""
    keys = [k for k in Config.model_fields if k not in SECTIONS]
    for name, cls in SECTIONS.items():
        keys += [f"{name}.{f}" for f in cls.model_fields]
    return keys


def bounds(info) -> tuple[Any, Any, bool, bool]:
    """A field's ``(lower, upper, lower_open, upper_open)``; None where unbounded."""
    lo = hi = None
    lo_open = hi_open = False
    for m in info.metadata:
        if getattr(m, "ge", None) is not None:
            lo = m.ge
        if getattr(m, "gt", None) is not None:
            lo, lo_open = m.gt, True
        if getattr(m, "le", None) is not None:
            hi = m.le
        if getattr(m, "lt", None) is not None:
            hi, hi_open = m.lt, True
    return lo, hi, lo_open, hi_open


def allowed(dotted: str) -> str:
    """Describe the values a key accepts, e.g. ``a number in [0, 1]``."""
    try:
        info = field_info(dotted)
    except (KeyError, AttributeError):
        return ""
    ann = info.annotation
    lo, hi, lo_open, hi_open = bounds(info)
    if isinstance(ann, type) and issubclass(ann, StrEnum):
        return "one of " + ", ".join(e.value for e in ann)
    kind = {bool: "true or false", int: "an integer", float: "a number", str: "text"}.get(ann, str(ann))
    if lo is None and hi is None:
        return kind
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    return f"{kind} in {left}{_fmt(lo) if lo is not None else '-inf'}, {_fmt(hi) if hi is not None else 'inf'}{right}"


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else f"{x:,}".replace(",", "_") if abs(x) >= 10**6 else str(x)


def parameter_table() -> str:
    """The Markdown parameter table for docs/ODD.md, generated from this file."""
    rows = ["| key | default | unit | allowed | source | meaning |", "|---|---|---|---|---|---|"]
    defaults = Config()
    for key in all_keys():
        info = field_info(key)
        extra = info.json_schema_extra or {}
        value: Any = defaults
        for part in key.split("."):
            value = getattr(value, part)
        if isinstance(value, StrEnum):
            value = value.value
        rows.append(f"| `{key}` | {value!r} | {extra.get('unit', '')} | {allowed(key)} | {extra.get('source', '')} | {info.description or ''} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(parameter_table())
