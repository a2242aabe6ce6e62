"""Building the district: communities on a map and the residents in them.

Everything here runs once, at model construction, and draws only from the
"world" stream, so two scenarios with the same world levers and seed get the
very same residents (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

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

    @cached_property
    def community_radius(self) -> np.ndarray:
        """Farthest distance (km) of a community's residents from its centre (0 if empty)."""
        dist = np.hypot(self.resident_x - self.community_x[self.resident_community], self.resident_y - self.community_y[self.resident_community])
        if len(dist) == 0:
            return np.zeros(len(self.community_size))
        radius = np.maximum.reduceat(dist, np.minimum(self.community_start, len(dist) - 1))
        return np.where(self.community_size > 0, radius, 0.0)


def build_layout(config: Config, rng: np.random.Generator) -> Layout:
    """Place communities and residents and draw each resident's groups.

    Urban communities cluster around the district's town centre; villages are
    spread over the whole square. Community sizes vary (lognormal, sd 0.3).
    """
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


def _draw_groups(config: Config, is_urban: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw group flags; age classes (elderly, youth) exclude each other."""
    r = config.residents
    n = len(is_urban)

    def share(urban_value: float, rural_value: float) -> np.ndarray:
        return np.where(is_urban, urban_value, rural_value)

    u = rng.random(n)
    elderly = u < share(r.elderly_share_urban, r.elderly_share_rural)
    youth = (~elderly) & (u < share(r.elderly_share_urban, r.elderly_share_rural) + r.youth_share)
    adult = ~(elderly | youth)
    # Assumption: 80% of adults of working age are in work (incl. women's groups).
    working = adult & (rng.random(n) < 0.8)
    disabled = rng.random(n) < r.disabled_share
    low_income = rng.random(n) < share(r.low_income_share_urban, r.low_income_share_rural)
    migrant = (~elderly) & (rng.random(n) < share(r.migrant_share_urban, r.migrant_share_rural))
    flags = [elderly, disabled, youth, working, low_income, migrant]
    profile = np.zeros(n, dtype=np.uint8)
    for bit, flag in enumerate(flags):
        profile |= flag.astype(np.uint8) << bit
    profile |= is_urban.astype(np.uint8) * URBAN_BIT
    return profile
