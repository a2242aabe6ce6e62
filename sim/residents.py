"""Residents: needs, requests, satisfaction, trust, awareness, participation (P1, P2, M3).

All residents are one Mesa agent, `Residents`, whose state is a set of numpy
arrays (one row per resident, sorted by community) updated by vectorised
methods. A Mesa agent object per resident would cost ~9 us and ~257 bytes
each before any logic (measured on Mesa 3.5.1) and a Python loop per step,
which rules out city-scale runs; `Residents.view(i)` gives one resident's
state when a person wants to look at one.

Needs arrive as events: each resident carries the week of her next need
(geometric waiting time from her profile's rate), so a step touches only the
few residents whose need falls due, not every resident and category.

One resident agent stands for ``world.scale`` = k people of the same profile.
A need is one person's: an agent's next need comes at k - (its open needs)
times a person's rate, so it may hold several open requests at once, and a
met, lapsed or waiting need moves the agent's satisfaction by 1/k of a
person's step. The people's needs then arrive as they would with one agent
each (Poisson superposition) rather than k at once: requests arriving in
lumps of k left supply idle in empty weeks and cut coverage by 5% at k = 2
and 43% at k = 10 (baseline, 40,000 people) before this rule. With k = 1 it
is exactly one open need per person, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from sim import resident_kernels
from sim.parameters import CATEGORIES, GROUPS
from sim.resident_kernels import NEVER
from sim.rng import keyed_uniforms, stream_key
from sim.world import N_PROFILES, URBAN_BIT, Layout, need_rates_by_profile

# Satisfaction, waiting, trust and word-of-mouth rates are scenario keys
# (`behaviour.*`, assumptions), read where they act so a mid-run change applies.
#: Word of mouth runs monthly in each community; communities are split into
#: this many blocks of about equal population, one block talking each week.
MOUTH_BLOCKS = 4


@dataclass(frozen=True)
class ResidentView:
    """One resident's state, read from the arrays (for people, not the hot path)."""

    index: int
    community: int
    urban: bool
    groups: tuple[str, ...]
    awareness: float
    satisfaction: float
    trust: float
    access: float
    waiting_for: str | None


class Residents(mesa.Agent):
    """The resident population as one vectorised Mesa agent.

    Args:
        model: the `sim.CommunityModel`.
        layout: the built district (`sim.world.build_layout`).
    """

    def __init__(self, model: mesa.Model, layout: Layout):
        super().__init__(model)
        cfg = model.scenario.residents
        n = len(layout.resident_community)
        self.n = n
        self.community = layout.resident_community
        self.profile = layout.resident_profile
        self.civic = layout.civic_propensity
        self.awareness = np.full(n, cfg.awareness, np.float32)
        self.satisfaction = np.full(n, 0.5, np.float32)
        self.trust = np.full(n, 0.5, np.float32)
        self.access = np.zeros(n, np.float32)
        self.scale = float(model.scenario.world.scale)
        # Open requests, one row each (one person's need): who, what, weeks waited.
        self.open = np.zeros(0, np.int64)
        self.open_category = np.zeros(0, np.int8)
        self.waited = np.zeros(0, np.int16)
        self.open_event = np.zeros(0, np.uint64)  # which need of its agent each request is
        self.open_arrival = np.zeros(0, np.int32)  # the week each need arose (sim.fates)
        self.open_count = np.zeros(n, np.int16)  # open requests per agent
        # Counter-based draws (sim.rng.keyed_uniforms) for the need process:
        # resident i's k-th need comes after the same wait, in the same
        # category, asked or not, in every scenario on the same seed. A plain
        # stream would hand later draws to other residents as soon as a
        # policy changes who is served, loosening common random numbers.
        self.need_events = np.zeros(n, np.uint32)
        self.key_needs = stream_key(model.entropy, "needs")
        self._set_need_rates(cfg.need_rate)
        self.next_need = np.full(n, NEVER, np.int32)
        self._schedule(np.arange(n), 0)
        counts = np.bincount(self.profile, minlength=N_PROFILES)
        self.profile_count = counts
        # Residents are sorted by community, so per-community sums are
        # contiguous segment sums (np.add.reduceat), ~3x faster than a
        # weighted bincount over a million residents.
        self.community_start = layout.community_start
        self.community_size = layout.community_size
        self._civic_half_sum = self.community_sums(0.5 * self.civic)
        self.mouth_blocks = _blocks(layout.community_start, layout.community_size, MOUTH_BLOCKS)
        self.profile_groups = ((np.arange(N_PROFILES)[:, None] >> np.arange(len(GROUPS))) & 1).astype(float)
        self.profile_urban = (np.arange(N_PROFILES) & URBAN_BIT) > 0

    def _set_need_rates(self, need_rate: float) -> None:
        rates = need_rates_by_profile(need_rate)
        self.profile_rate = rates.sum(axis=1)
        self.profile_cdf = np.cumsum(rates, axis=1) / self.profile_rate[:, None]

    def expected_needs_by_community(self, n_communities: int) -> np.ndarray:
        """Expected weekly needs per community (agents, not yet scaled)."""
        return np.bincount(self.community, weights=self.profile_rate[self.profile], minlength=n_communities)

    def _schedule(self, who: np.ndarray, now: int) -> None:
        """Draw the week of the next need of ``who`` (geometric waiting time).

        The rate is a person's times the agent's people without an open need;
        an agent whose people all wait gets no next need until one is closed.
        """
        # A compiled loop (sim.resident_kernels), the same arithmetic as the numpy version.
        resident_kernels.schedule(who, now, self.scale, self.open_count, self.profile, self.profile_rate, self.need_events, self.next_need, np.uint64(self.key_needs))

    # -- step parts ---------------------------------------------------------

    def new_needs(self, week: int) -> np.ndarray:
        """Needs falling due this week. Aware residents join the open requests.

        Returns:
            indices of residents whose need lapsed unasked (unaware, P1).
        """
        due = resident_kernels.due_this_week(self.next_need, week)
        if len(due) == 0:
            return due
        rng = self.model.streams["needs"]
        agents = due
        event = self.need_events[due].astype(np.uint64) - 1  # the need now due
        if self.scale > 1:
            counts = self._needs_this_week(due, rng)
            due = np.repeat(due, counts)
            # Number the people of one agent with a need this week 0, 1, 2 ...
            nth = np.arange(len(due)) - np.repeat(np.cumsum(counts) - counts, counts)
            event = np.repeat(event, counts) * np.uint64(1024) + nth.astype(np.uint64)
        key = np.uint64(self.key_needs)
        category, asks = resident_kernels.categorise(key, due, event, self.profile, self.profile_cdf, self.awareness, len(CATEGORIES) - 1)
        askers = due[asks]
        self.open = np.concatenate([self.open, askers])
        self.open_category = np.concatenate([self.open_category, category[asks]])
        self.waited = np.concatenate([self.waited, np.zeros(len(askers), np.int16)])
        self.open_event = np.concatenate([self.open_event, event[asks]])
        self.open_arrival = np.concatenate([self.open_arrival, np.full(len(askers), week, np.int32)])
        lapsed = due[~asks]
        step = self.model.scenario.behaviour.satisfaction_step
        if self.scale == 1:  # `due` holds each person once
            resident_kernels.book_one_person_needs(due, asks, self.open_count, self.satisfaction, np.float32(1 - step / 2))
        else:
            np.add.at(self.open_count, askers, 1)
            np.multiply.at(self.satisfaction, lapsed, np.float32(1 - step / 2 / self.scale))
        self._schedule(agents, week)
        return lapsed

    def _needs_this_week(self, agents: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """How many of each due agent's free people have a need this week (at least one).

        Each free person has a need in a week with probability q = 1 - exp(-rate);
        the agent's event week is the first with one or more, so the count is
        a zero-truncated Binomial(free, q), drawn exactly: the first person
        with a need J has P(J = j) proportional to (1 - q)^(j - 1) q, and
        each of the free - J after her has one with probability q. (One need
        per event week undercounted needs by 9% at k = 10.)
        """
        free = np.maximum(np.floor(self.scale - self.open_count[agents]), 1).astype(np.int64)
        q = -np.expm1(-self.profile_rate[self.profile[agents]])
        some = -np.expm1(free * np.log1p(-q))  # P(at least one need) = 1 - (1 - q)^free
        first = 1 + np.floor(np.log1p(-rng.random(len(agents)) * some) / np.log1p(-q)).astype(np.int64)
        first = np.clip(first, 1, free)
        return 1 + rng.binomial(free - first, q)

    def close(self, rows: np.ndarray, quality: np.ndarray, week: int) -> np.ndarray:
        """Close the open requests at positions ``rows`` with the given service quality.

        Returns:
            the residents whose requests were closed (one entry per request).
        """
        who = self.open[rows]
        step = self.model.scenario.behaviour.satisfaction_step / self.scale
        if self.scale == 1:  # one person, at most one open request each
            s = self.satisfaction[who]
            self.satisfaction[who] = s + step * (quality - s)
            self.open_count[who] -= 1
        else:  # an agent may have several requests closed at once
            # n closes of mean quality q move s to q + (1 - step)^n (s - q), as
            # n steps one after another would; adding n steps from the same s
            # overshot q (found by the property tests at scale 1.5).
            agents, n = np.unique(who, return_counts=True)
            q = np.bincount(who, weights=quality, minlength=self.n)[agents] / n
            s = self.satisfaction[agents]
            self.satisfaction[agents] = (q + (1 - step) ** n * (s - q)).astype(np.float32)
            np.subtract.at(self.open_count, who, 1)
        self._drop(rows)
        self._schedule(who if self.scale == 1 else np.unique(who), week)
        return who

    def wait_a_week(self, week: int, max_wait: int) -> tuple[np.ndarray, np.ndarray]:
        """Requests still open wait another week; those past ``max_wait`` give up.

        Returns:
            the residents who gave up (one entry per request) and the week each need arose.
        """
        self.waited += 1
        who = self.open
        behaviour = self.model.scenario.behaviour
        if self.scale == 1:
            self.satisfaction[who] = np.maximum(0.0, self.satisfaction[who] - behaviour.waiting_penalty)
        else:
            np.subtract.at(self.satisfaction, who, np.float32(behaviour.waiting_penalty / self.scale))
            np.maximum(self.satisfaction, 0.0, out=self.satisfaction)
        rows = np.flatnonzero(self.waited >= max_wait)
        gave_up = self.open[rows]
        arrival = self.open_arrival[rows]
        if self.scale == 1:
            self.satisfaction[gave_up] *= 1 - behaviour.satisfaction_step
            self.open_count[gave_up] -= 1
        else:
            np.multiply.at(self.satisfaction, gave_up, np.float32(1 - behaviour.satisfaction_step / self.scale))
            np.subtract.at(self.open_count, gave_up, 1)
        self._drop(rows)
        self._schedule(gave_up if self.scale == 1 else np.unique(gave_up), week)
        return gave_up, arrival

    def _drop(self, rows: np.ndarray) -> None:
        keep = np.ones(len(self.open), bool)
        keep[rows] = False
        self.keep_open(keep)

    def keep_open(self, keep: np.ndarray) -> None:
        """Keep the open requests where ``keep`` is True, in their order; drop the rest."""
        self.open, self.open_category, self.waited = self.open[keep], self.open_category[keep], self.waited[keep]
        self.open_event, self.open_arrival = self.open_event[keep], self.open_arrival[keep]

    def request_uniforms(self, key: int, salt: int = 0) -> np.ndarray:
        """One uniform per open request, fixed by (resident, need, weeks waited, salt).

        Used for service and liaison draws, so a request has the same luck
        this week in every scenario on the same seed.
        """
        return keyed_uniforms(key, self.open, self.open_event * np.uint64(128) + self.waited.astype(np.uint64), salt)

    def update_trust(self, integrity: float | np.ndarray) -> None:
        """Trust drifts towards a mix of own satisfaction and the committee's integrity (M6).

        Args:
            integrity: the committees' integrity, one value for all or one per community.
        """
        step = self.model.scenario.behaviour.trust_step
        if not np.ndim(integrity):  # one pass, compiled (sim.resident_kernels), the same float32 rounding
            resident_kernels.update_trust(self.trust, self.satisfaction, np.float32(0.6 * step), np.float32(0.4 * step) * np.float32(integrity), np.float32(1 - step))
            return
        integrity = np.asarray(integrity, np.float32)[self.community]
        # In float32 and in place: one full pass over the residents instead of
        # four float64 temporaries (5.7 -> 2.0 ms a week at 1 M residents).
        pull = self.satisfaction * np.float32(0.6 * step)
        pull += np.float32(0.4 * step) * integrity
        self.trust *= np.float32(1 - step)
        self.trust += pull

    def community_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` over each community's residents (float64)."""
        sums = np.add.reduceat(values, self.community_start, dtype=np.float64) if len(values) else np.zeros(len(self.community_start))
        return np.where(self.community_size > 0, sums, 0.0)

    def participation_by_community(self, responsiveness: np.ndarray, n_communities: int) -> np.ndarray:
        """Expected share taking part each week, per community (M3).

        Participation grows with civic propensity, trust and the committee's
        responsiveness (people stop coming where nothing they say is acted on).
        """
        # civic * (0.5 + trust), summed: the civic half is fixed, so only
        # civic * trust is summed each week (7.6 -> 2.2 ms at 1 M residents).
        total = self._civic_half_sum + self.community_sums(self.civic * self.trust)
        weight = self.model.scenario.behaviour.participation_responsiveness
        return np.clip(total / np.maximum(self.community_size, 1) * ((1 - weight) + weight * responsiveness), 0.0, 1.0)

    def word_of_mouth(self, ties, outreach: np.ndarray, block: int | None = None) -> None:
        """Monthly: satisfaction and awareness move towards the ties' mean (M3).

        ``outreach`` (per community) is what the committee's own contact adds
        to awareness. With ``block`` set, only the residents of that block of
        communities (`mouth_blocks`) talk this week: calling it each week with
        ``block = week % MOUTH_BLOCKS`` gives every community its monthly word
        of mouth while spreading the cost evenly over the weeks (ties never
        leave a community, so each block reads only its own residents). At 1 M
        residents a whole-district pass took ~50 ms in one week of four, which
        made those weeks 3.7x the median week; a block takes ~10 ms a week.
        """
        lo, hi = (0, self.n) if block is None else self.mouth_blocks[block]
        if hi <= lo:
            return
        pull = self.model.scenario.behaviour.word_of_mouth
        resident_kernels.word_of_mouth(ties.indptr, ties.indices, ties.inverse_degree, self.satisfaction, self.awareness, outreach, self.community, lo, hi, np.float32(pull), pull)

    # -- reading --------------------------------------------------------------

    def mean_by_profile(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` per profile (divide by ``profile_count`` for means)."""
        return np.bincount(self.profile, weights=values, minlength=N_PROFILES)

    def view(self, i: int) -> ResidentView:
        """The state of resident ``i``."""
        flags = int(self.profile[i])
        return ResidentView(
            index=i,
            community=int(self.community[i]),
            urban=bool(flags & URBAN_BIT),
            groups=tuple(g for b, g in enumerate(GROUPS) if flags >> b & 1),
            awareness=float(self.awareness[i]),
            satisfaction=float(self.satisfaction[i]),
            trust=float(self.trust[i]),
            access=float(self.access[i]),
            waiting_for=CATEGORIES[self.open_category[np.flatnonzero(self.open == i)[0]]] if self.open_count[i] > 0 else None,
        )


def perceived_integrity(transparency: float, leak: float, behaviour) -> float:
    """The committees' integrity as residents perceive it (M6), in [0, 1].

    Open accounts (居务公开) let residents see the leakage rate: with
    ``transparency`` t they judge by what they see, ``1 - leak_aversion x
    leak``, and for the rest by an assumed prior, ``trust_prior``. Transparency
    enters once, as how much residents see; it also lowers ``leak`` itself
    through the ledger. (Issue 9: the old ``0.5 + 0.5 t - 2 leak`` counted
    transparency twice and let leakage nobody could see lower trust.)
    """
    seen = transparency * (1.0 - behaviour.leak_aversion * leak)
    return float(np.clip(seen + (1.0 - transparency) * behaviour.trust_prior, 0.0, 1.0))


def _blocks(starts: np.ndarray, sizes: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """Split residents into ``parts`` contiguous ranges of whole communities, of about equal size."""
    ends = starts + sizes
    total = int(ends[-1]) if len(ends) else 0
    # Cut after the community whose end is nearest each ideal boundary.
    cuts = [0] + [int(ends[np.argmin(np.abs(ends - total * b / parts))]) for b in range(1, parts)] + [total]
    cuts = np.maximum.accumulate(cuts)
    return [(int(cuts[b]), int(cuts[b + 1])) for b in range(parts)]
