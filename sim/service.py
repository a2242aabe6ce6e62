"""Service delivery: supply meets requests, community by community and category (P2).

Supply in each community and category, in needs per week, comes from:
committee service hours spread by the committee's service mix; extra hours the
committee buys; NGO contract hours; registered volunteers matched to this
week's requests; informal volunteers where they choose. Where requests exceed
supply, each request is served with probability supply/demand, further cut by
the resident's access to a centre for categories that need one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.parameters import CATEGORIES
from sim.volunteers import INFORMAL_MIX

#: How much each category depends on a centre (0: served at home; 1: only at
#: a centre). Assumption after the paper's M1 description of centres.
_DEPENDENCE = {"health": 0.6, "education": 0.4, "culture": 0.6, "safety": 0.1, "family_planning": 0.2, "environment": 0.0, "social_security": 0.3, "relief": 0.2}
FACILITY_DEPENDENCE = np.array([_DEPENDENCE[k] for k in CATEGORIES])


@dataclass
class Supply:
    """Needs per week that can be met, and their mean quality, by community x category."""

    needs: np.ndarray
    quality: np.ndarray
    hours: np.ndarray


def assemble_supply(
    committee_hours: np.ndarray,
    mix: np.ndarray,
    committee_quality: np.ndarray,
    ngo_hours: np.ndarray,
    ngo_quality_hours: np.ndarray,
    matched_volunteer_hours: np.ndarray,
    informal_volunteer_hours: np.ndarray,
    request_share: np.ndarray,
    hours_per_need: float,
    demand: np.ndarray,
    volunteer_quality: float,
) -> Supply:
    """Combine every provider's hours into needs per community and category.

    Quality is that of the hours actually used: staff and NGO hours serve
    first and volunteers fill what they leave (mutual aid complements, not
    replaces, professional service), so volunteers add coverage where needs
    go unmet without diluting quality where staff already suffice.
    """
    staff = committee_hours[:, None] * mix
    volunteer = matched_volunteer_hours[:, None] * request_share + informal_volunteer_hours[:, None] * INFORMAL_MIX[None, :]
    professional = staff + ngo_hours
    hours = professional + volunteer
    needed = demand * hours_per_need
    used_professional = np.minimum(professional, needed)
    used_volunteer = np.minimum(volunteer, np.maximum(needed - used_professional, 0.0))
    pro_quality = np.divide(staff * committee_quality[:, None] + ngo_quality_hours, professional, out=np.zeros_like(hours), where=professional > 0)
    used = used_professional + used_volunteer
    quality = np.divide(used_professional * pro_quality + used_volunteer * volunteer_quality, used, out=np.zeros_like(hours), where=used > 0)
    return Supply(needs=hours / hours_per_need, quality=quality, hours=hours)


def fill_share(supply: Supply, demand: np.ndarray) -> np.ndarray:
    """Share of requests supply can meet, by community x category (at most 1; 0 where none is asked)."""
    return np.minimum(1.0, np.divide(supply.needs, demand, out=np.zeros_like(demand), where=demand > 0))


def serve(community: np.ndarray, category: np.ndarray, access: np.ndarray, demand: np.ndarray, supply: Supply, uniforms: np.ndarray) -> np.ndarray:
    """Decide which open requests are met this week.

    Args:
        community: the community of each open request.
        category: the service category of each open request.
        access: each open requester's access to a centre.
        demand: requests by community and category, in real people.
        supply: what providers offer.
        uniforms: one uniform draw per request (`Residents.request_uniforms`).

    Returns:
        a boolean mask over the open requests: True where met.
    """
    fill = fill_share(supply, demand)
    reach = 1 - FACILITY_DEPENDENCE[category] * (1 - access)
    p = fill[community, category] * reach
    return uniforms < p
