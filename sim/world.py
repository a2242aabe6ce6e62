"""Building the district: communities on a map and the residents in them.

Everything here runs once, at model construction, and draws only from the
"world" stream, so two scenarios with the same world levers and seed get the
very same residents (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.district import District, district_of
from sim.parameters import CATEGORIES, GROUPS, Config

#: Bit of the "urban" flag in a resident's profile id (group flags use bits 0-5).
URBAN_BIT = 1 << len(GROUPS)
#: Number of distinct profiles: group flags x urban/rural.
N_PROFILES = URBAN_BIT * 2

# Weekly need rates by category, as multiples of residents.need_rate.
# Everyone has the base profile; each group flag adds its own row. The rows
# encode the paper's P2 ("elderly, women, disabled, youth need different
# things at different levels, material and spiritual") and are assumptions.
_BASE_NEEDS = {"health": 0.25, "education": 0.1, "culture": 0.15, "safety": 0.1, "family_planning": 0.05, "environment": 0.15, "social_security": 0.1, "relief": 0.1}
_GROUP_NEEDS = {
    "elderly": {"health": 1.0, "culture": 0.5, "social_security": 0.5, "safety": 0.2},
    "disabled": {"health": 0.8, "relief": 0.5, "social_security": 0.5, "education": 0.2},
    "youth": {"education": 0.6, "culture": 0.5, "safety": 0.2},
    "working_adults": {"education": 0.3, "family_planning": 0.3, "environment": 0.2},
    "low_income": {"relief": 1.2, "social_security": 0.6, "health": 0.3},
    "migrant": {"social_security": 0.4, "family_planning": 0.3, "education": 0.3, "safety": 0.2},
}


def need_rates_by_profile(need_rate: float) -> np.ndarray:
    """Weekly need rate per profile and category, shape (N_PROFILES, K)."""
    base = np.array([_BASE_NEEDS[k] for k in CATEGORIES])
    extra = np.array([[_GROUP_NEEDS[g].get(k, 0.0) for k in CATEGORIES] for g in GROUPS])
    profiles = np.arange(N_PROFILES)
    flags = (profiles[:, None] >> np.arange(len(GROUPS))) & 1
    return need_rate * (base[None, :] + flags @ extra)


@dataclass
class Layout:
    """Communities and residents as built (residents sorted by community)."""

    community_x: np.ndarray
    community_y: np.ndarray
    community_urban: np.ndarray
    community_start: np.ndarray
    community_size: np.ndarray
    resident_community: np.ndarray
    resident_x: np.ndarray
    resident_y: np.ndarray
    resident_profile: np.ndarray
    civic_propensity: np.ndarray
    #: The district read from files (`sim.district`), None for the synthetic one.
    district: District | None = None

    @cached_property
    def community_radius(self) -> np.ndarray:
        """Farthest distance (km) of a community's residents from its centre (0 if empty)."""
        dist = np.hypot(self.resident_x - self.community_x[self.resident_community], self.resident_y - self.community_y[self.resident_community])
        if len(dist) == 0:
            return np.zeros(len(self.community_size))
        radius = np.maximum.reduceat(dist, np.minimum(self.community_start, len(dist) - 1))
        return np.where(self.community_size > 0, radius, 0.0)

    def site(self, community: int, rng: np.random.Generator) -> tuple[float, float]:
        """Where a new centre of ``community`` goes: near its centre (normal jitter, sd 0.3 km).

        In a district with boundaries the centre must stay inside the
        community's polygon; a jitter that leaves it falls back to the
        community's own point (always inside).
        """
        jitter = rng.normal(0, 0.3, 2)
        x, y = self.community_x[community] + jitter[0], self.community_y[community] + jitter[1]
        if self.district is not None and len(self.district.triangles) and not self.district.contains(community, x, y):
            return float(self.community_x[community]), float(self.community_y[community])
        return float(x), float(y)


def build_layout(config: Config, rng: np.random.Generator) -> Layout:
    """Place communities and residents and draw each resident's groups.

    Urban communities cluster around the district's town centre; villages are
    spread over the whole square. Community sizes vary (lognormal, sd 0.3).
    A district from files (``world.district``) replaces all of that: see
    `district_layout`.
    """
    district = district_of(config.world)
    if district is not None:
        return district_layout(config, district, rng)
    w, r = config.world, config.residents
    n_u, n_r = w.urban_communities, w.rural_communities
    half = w.area_km / 2
    town_radius = min(half, 1.0 + 0.5 * np.sqrt(n_u))
    angle = rng.uniform(0, 2 * np.pi, n_u)
    radius = town_radius * np.sqrt(rng.uniform(0, 1, n_u))
    ux, uy = half + radius * np.cos(angle), half + radius * np.sin(angle)
    rx, ry = rng.uniform(0, w.area_km, n_r), rng.uniform(0, w.area_km, n_r)
    cx = np.concatenate([ux, rx])
    cy = np.concatenate([uy, ry])
    urban = np.concatenate([np.ones(n_u, bool), np.zeros(n_r, bool)])

    n_urban = round(w.residents * w.urban_population_share) if n_u else 0
    if not n_r:
        n_urban = w.residents
    sizes = np.concatenate([_split(n_urban, n_u, rng), _split(w.residents - n_urban, n_r, rng)])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    community = np.repeat(np.arange(n_u + n_r, dtype=np.int32), sizes)

    is_urban = urban[community]
    spread = np.where(is_urban, 0.6, 0.8).astype(np.float32)
    x = (cx[community] + rng.normal(0, 1, len(community)) * spread).astype(np.float32)
    y = (cy[community] + rng.normal(0, 1, len(community)) * spread).astype(np.float32)

    profile = _draw_groups(config, is_urban, rng)
    civic = _beta_with_mean(r.participation_propensity, len(community), rng)
    return Layout(cx, cy, urban, starts, sizes.astype(np.int64), community, x, y, profile, civic)


def district_layout(config: Config, district: District, rng: np.random.Generator) -> Layout:
    """Residents of a district from files: agents per community in proportion to its population.

    Residents are placed uniformly inside their community's polygon (a
    triangle drawn by area, then a point in it), or around its point as in
    the synthetic district. Group shares come from the files' counts where
    given, else from the scenario (urban/rural).
    """
    sizes = district.agents(config.world.residents)
    n = len(sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    community = np.repeat(np.arange(n, dtype=np.int32), sizes)
    is_urban = district.urban[community]
    if len(district.triangles):
        x, y = _in_triangles(district, community, rng)
    else:
        spread = np.where(is_urban, 0.6, 0.8)
        x = district.x[community] + rng.normal(0, 1, len(community)) * spread
        y = district.y[community] + rng.normal(0, 1, len(community)) * spread
    shares = {g: s[community] for g, s in district.shares.items()}
    profile = _draw_groups(config, is_urban, rng, shares)
    civic = _beta_with_mean(config.residents.participation_propensity, len(community), rng)
    return Layout(district.x.astype(float), district.y.astype(float), district.urban.copy(), starts, sizes, community, x.astype(np.float32), y.astype(np.float32), profile, civic, district)


def _in_triangles(district: District, community: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points in each resident's community polygon, from its triangles (vectorised)."""
    tri, owner = district.triangles, district.triangle_community
    order = np.argsort(owner, kind="stable")
    tri, owner = tri[order], owner[order]
    a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
    area = 0.5 * np.abs((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (b[:, 1] - a[:, 1]))
    cum = np.cumsum(area)
    n = len(district.population)
    first = np.searchsorted(owner, np.arange(n))
    last = np.searchsorted(owner, np.arange(n), side="right")
    before = np.where(first > 0, cum[np.maximum(first - 1, 0)], 0.0)
    total = np.where(last > first, cum[np.maximum(last - 1, 0)] - before, 0.0)
    # A resident's triangle: the first whose cumulative area passes a uniform draw within her community's range.
    target = before[community] + rng.random(len(community)) * total[community]
    k = np.clip(np.searchsorted(cum, target, side="right"), first[community], np.maximum(last[community] - 1, first[community]))
    u, v = rng.random(len(community)), rng.random(len(community))
    flip = u + v > 1
    u, v = np.where(flip, 1 - u, u), np.where(flip, 1 - v, v)
    pa, pb, pc = a[k], b[k], c[k]
    pts = pa + u[:, None] * (pb - pa) + v[:, None] * (pc - pa)
    return pts[:, 0], pts[:, 1]


def _beta_with_mean(mean: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Civic propensity: Beta(2, b) with the given mean (assumption: a broad spread)."""
    if mean <= 0 or mean >= 1:
        return np.full(n, mean, np.float32)
    return rng.beta(2.0, 2.0 * (1 - mean) / mean, n).astype(np.float32)


def _split(total: int, parts: int, rng: np.random.Generator) -> np.ndarray:
    """Split ``total`` residents into ``parts`` communities of varied size (each >= 10)."""
    if parts == 0:
        return np.zeros(0, dtype=np.int64)
    weights = rng.lognormal(0.0, 0.3, parts)
    floor = min(10, total // parts)
    sizes = floor + np.floor(weights / weights.sum() * (total - floor * parts)).astype(np.int64)
    sizes[: total - sizes.sum()] += 1
    return sizes


def _draw_groups(config: Config, is_urban: np.ndarray, rng: np.random.Generator, counted: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Draw group flags; age classes (elderly, youth) exclude each other.

    ``counted`` holds, per resident, the share of her community in a group as
    a district's files count it (NaN where unknown: the scenario's share).
    Migrants are drawn among the non-elderly, so their counted share is
    divided by the non-elderly share.
    """
    r = config.residents
    n = len(is_urban)
    counted = counted or {}

    def share(urban_value: float, rural_value: float, group: str = "") -> np.ndarray:
        value = np.where(is_urban, urban_value, rural_value)
        if group in counted:
            value = np.where(np.isnan(counted[group]), value, counted[group])
        if group == "migrant" and group in counted:
            old = share(r.elderly_share_urban, r.elderly_share_rural, "elderly")
            known = ~np.isnan(counted[group])
            value = np.where(known, np.minimum(1.0, value / np.maximum(1e-9, 1 - old)), value)
        return value

    u = rng.random(n)
    old_share = share(r.elderly_share_urban, r.elderly_share_rural, "elderly")
    elderly = u < old_share
    youth = (~elderly) & (u < old_share + r.youth_share)
    adult = ~(elderly | youth)
    # Assumption: 80% of adults of working age are in work (incl. women's groups).
    working = adult & (rng.random(n) < 0.8)
    disabled = rng.random(n) < share(r.disabled_share, r.disabled_share, "disabled")
    low_income = rng.random(n) < share(r.low_income_share_urban, r.low_income_share_rural, "low_income")
    migrant = (~elderly) & (rng.random(n) < share(r.migrant_share_urban, r.migrant_share_rural, "migrant"))
    flags = [elderly, disabled, youth, working, low_income, migrant]
    profile = np.zeros(n, dtype=np.uint8)
    for bit, flag in enumerate(flags):
        profile |= flag.astype(np.uint8) << bit
    profile |= is_urban.astype(np.uint8) * URBAN_BIT
    return profile
