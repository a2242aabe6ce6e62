"""What became of each need, counted once, by the week it arose (P1, P2).

Every need that arises ends in exactly one of three fates:

- **met**: a provider (or a leader's visit, M5) served it, after a wait of
  0, 1, 2 ... weeks counted from the week it arose;
- **abandoned**: its resident asked and gave up after ``max_wait_weeks``;
- **unasked**: its resident was unaware and never asked (P1).

`NeedFates` books each fate against the *arrival cohort* of the need (the
week it arose), by resident profile and by community. An outcome for week t
reads the cohorts that arose in the `WINDOW` weeks ending ``max_wait_weeks -
1`` weeks before t: by then every one of their needs has a fate, so

    coverage + abandoned_share + unasked_share == 1

for every group, and a need that waits five weeks counts once, not five
times (the review of issue 9 found that the old pooled ratio read a longer
wait as unmet need). Before the first cohort has settled (the first
``max_wait_weeks - 1`` weeks of a run) the window is the weeks so far and
the shares are of the needs whose fate is already known (documented in
`sim.outcomes`).

Waits are those of the needs met: weeks from the week a need arose to the
week it was met, kept as a histogram so that the 90th percentile is exact.
"""

from __future__ import annotations

import numpy as np

from sim.jit import kernel
from sim.parameters import GROUPS
from sim.world import N_PROFILES, URBAN_BIT

#: Arrival weeks pooled in a cohort outcome (a month: a small group has few needs a week).
WINDOW = 4
#: Weeks of cohorts kept: the longest wait (104) plus the window, rounded up.
RING = 128
#: Bins of the wait histogram: waits 0..MAX_WAIT weeks (the longest allowed wait is 104).
MAX_WAIT = 104
#: Lenses an outcome is reported through: everyone, urban, rural, then each group.
LENSES = ("all", "urban", "rural", *GROUPS)


def lens_matrix() -> np.ndarray:
    """Membership of each profile in each lens, shape (len(LENSES), N_PROFILES)."""
    profiles = np.arange(N_PROFILES)
    urban = (profiles & URBAN_BIT) > 0
    rows = [np.ones(N_PROFILES, bool), urban, ~urban]
    rows += [((profiles >> g) & 1) > 0 for g in range(len(GROUPS))]
    return np.array(rows, dtype=float)


LENS = lens_matrix()


class NeedFates:
    """Fates of needs by arrival week, profile and community (a ring of cohorts).

    Args:
        n_communities: communities in the district.
    """

    def __init__(self, n_communities: int):
        self.n_communities = n_communities
        self.met = np.zeros((RING, N_PROFILES))
        self.abandoned = np.zeros((RING, N_PROFILES))
        self.unasked = np.zeros((RING, N_PROFILES))
        self.wait_hist = np.zeros((RING, len(LENSES), MAX_WAIT + 1))
        self.met_c = np.zeros((RING, n_communities))
        self.decided_c = np.zeros((RING, n_communities))
        self.week = 0

    # -- booking ----------------------------------------------------------------

    def start_week(self, week: int) -> None:
        """Clear the slot of the cohort that arises this week (it held week - RING)."""
        self.week = week
        slot = week % RING
        for table in (self.met, self.abandoned, self.unasked, self.wait_hist, self.met_c, self.decided_c):
            table[slot] = 0.0

    def arose_unasked(self, profile: np.ndarray, community: np.ndarray) -> None:
        """Needs that arose this week and were never asked for (one entry per person's need)."""
        slot = self.week % RING
        self.unasked[slot] += np.bincount(profile, minlength=N_PROFILES)
        self.decided_c[slot] += np.bincount(community, minlength=self.n_communities)

    def met_now(self, profile: np.ndarray, community: np.ndarray, arrival: np.ndarray) -> None:
        """Needs met this week, with the week each arose."""
        if len(profile) == 0:
            return
        profile = profile.astype(np.int64)  # profiles are stored as small integers: no overflow below
        wait = np.clip(self.week - arrival, 0, MAX_WAIT).astype(np.int64)
        slots = (self.week - wait) % RING
        np.add.at(self.met, (slots, profile), 1.0)
        np.add.at(self.met_c, (slots, community), 1.0)
        np.add.at(self.decided_c, (slots, community), 1.0)
        # Waits by lens: one histogram of (profile, wait), then lens sums.
        counts = np.bincount(profile * (MAX_WAIT + 1) + wait, minlength=N_PROFILES * (MAX_WAIT + 1)).reshape(N_PROFILES, MAX_WAIT + 1)
        waits = np.flatnonzero(counts.any(axis=0))
        self.wait_hist[(self.week - waits) % RING, :, waits] += (LENS @ counts[:, waits]).T

    def abandoned_now(self, profile: np.ndarray, community: np.ndarray, arrival: np.ndarray) -> None:
        """Needs given up this week after waiting, with the week each arose."""
        if len(profile) == 0:
            return
        slots = np.asarray(arrival, np.int64) % RING
        np.add.at(self.abandoned, (slots, profile), 1.0)
        np.add.at(self.decided_c, (slots, community), 1.0)

    # -- reading ------------------------------------------------------------------

    def window(self, max_wait: int, weeks: int = WINDOW) -> np.ndarray:
        """Ring slots of the arrival weeks an outcome reads this week.

        The ``weeks`` latest cohorts that are settled (arose at least
        ``max_wait - 1`` weeks ago); while none is, the weeks so far.
        At most ``RING - MAX_WAIT`` weeks can be read.
        """
        newest = self.week - (max_wait - 1)
        if newest < 1:
            newest = self.week
        oldest = max(1, newest - min(weeks, RING - MAX_WAIT) + 1)
        return np.arange(oldest, newest + 1) % RING

    def by_lens(self, max_wait: int) -> dict[str, np.ndarray]:
        """Needs met, abandoned and unasked, and the wait histogram, per lens, over the window."""
        met, abandoned, unasked, hist = _window_by_lens(self.met, self.abandoned, self.unasked, self.wait_hist, self.window(max_wait), LENS)
        return {"met": met, "abandoned": abandoned, "unasked": unasked, "wait_hist": hist}

    def by_community(self, max_wait: int, weeks: int = WINDOW) -> tuple[np.ndarray, np.ndarray]:
        """Needs met and needs with a fate, per community, over ``weeks`` settled arrival weeks."""
        return _window_sums(self.met_c, self.decided_c, self.window(max_wait, weeks))

    def community_coverage(self, max_wait: int) -> np.ndarray:
        """Needs met ÷ needs arisen per community over the window (1 where none arose)."""
        met, decided = self.by_community(max_wait)
        return np.divide(met, decided, out=np.ones_like(met), where=decided > 0)


# Compiled window sums (sim.jit, issue 12). Every table holds counts of
# needs (whole numbers as floats), so sums in any order are exact.


@kernel
def _window_by_lens(met, abandoned, unasked, wait_hist, slots, lens):
    n_lens, n_profiles = lens.shape
    by_profile = np.zeros((3, n_profiles))
    hist = np.zeros((n_lens, wait_hist.shape[2]))
    for slot in slots:
        for p in range(n_profiles):
            by_profile[0, p] += met[slot, p]
            by_profile[1, p] += abandoned[slot, p]
            by_profile[2, p] += unasked[slot, p]
        hist += wait_hist[slot]
    by_lens = np.zeros((3, n_lens))
    for k in range(3):
        for g in range(n_lens):
            for p in range(n_profiles):
                by_lens[k, g] += lens[g, p] * by_profile[k, p]
    return by_lens[0], by_lens[1], by_lens[2], hist


@kernel
def _window_sums(met_c, decided_c, slots):
    met = np.zeros(met_c.shape[1])
    decided = np.zeros(met_c.shape[1])
    for slot in slots:
        met += met_c[slot]
        decided += decided_c[slot]
    return met, decided


def wait_quantile(hist: np.ndarray, q: float) -> np.ndarray:
    """The ``q`` quantile (lower) of waits from histograms over the last axis (0 where empty)."""
    cum = np.cumsum(hist, axis=-1)
    total = cum[..., -1:]
    return np.where(total[..., 0] > 0, np.argmax(cum >= q * total, axis=-1), 0).astype(float)
