"""The volunteer lifecycle (M4).

Recruitment, registration, training, matching, service, burnout and retention.
Volunteers are residents; the population of volunteers is one Mesa agent,
`Volunteers`, holding sparse arrays (one row per active volunteer) and a flag
per resident. Recruitment runs monthly over all residents, vectorised; the
weekly work touches only the volunteers.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.parameters import CATEGORIES
from sim.rng import keyed_uniforms, stream_key

#: Salts of the counter-based draws: registering on joining, staying a week.
REGISTER, STAY = 1, 2

#: Where informal volunteers help, unmatched to requests (mutual aid: culture,
#: safety patrols, environment, visiting the elderly). Assumption.
INFORMAL_MIX = np.array([{"health": 0.25, "culture": 0.25, "safety": 0.25, "environment": 0.25}.get(k, 0.0) for k in CATEGORIES])
#: Share of offered hours that reach a need (assumption): informal,
#: registered, and the bonus the information platform adds to registered.
MATCH_INFORMAL, MATCH_REGISTERED, MATCH_PLATFORM_BONUS = 0.4, 0.7, 0.2
#: Incentive in yuan/hour at which its effects saturate (assumption).
INCENTIVE_SATURATION = 10.0
#: Training hours per e-fold of skill (assumption).
TRAINING_SCALE = 40.0


class Volunteers(mesa.Agent):
    """All volunteers as one vectorised Mesa agent.

    Args:
        model: the model.
        n_residents: residents in the model.
        initial: indices of residents volunteering at the start.
    """

    def __init__(self, model: mesa.Model, n_residents: int, initial: np.ndarray):
        super().__init__(model)
        # The recruitment draw (one per resident a round) comes from the plain
        # stream: its size is fixed, so it stays common across policies. Who
        # registers and who stays are drawn for varying sets of volunteers,
        # so they are counter-based (by resident and round: `keyed_uniforms`),
        # which keeps them, and the stream after them, common too.
        self.stream = model.streams["volunteers"]
        self.key = stream_key(model.entropy, "volunteers")
        self.recruit_rounds = 0
        self.retain_rounds = 0
        self.is_volunteer = np.zeros(n_residents, bool)
        self.who = np.zeros(0, np.int64)
        self.registered = np.zeros(0, bool)
        self.skill = np.zeros(0)
        self.burnout = np.zeros(0)
        self.recruited = 0
        self.left = 0
        self._add(initial)

    def __len__(self) -> int:
        return len(self.who)

    def _add(self, who: np.ndarray) -> None:
        lev = self.model.scenario.volunteers
        reg = keyed_uniforms(self.key, who, np.full(len(who), self.recruit_rounds), salt=REGISTER) < lev.registration
        self.is_volunteer[who] = True
        self.who = np.concatenate([self.who, who])
        self.registered = np.concatenate([self.registered, reg])
        self.skill = np.concatenate([self.skill, np.full(len(who), 0.1)])
        self.burnout = np.concatenate([self.burnout, np.zeros(len(who))])
        self.recruited += len(who)

    def _incentive_effect(self) -> float:
        return min(1.0, self.model.scenario.volunteers.incentive_per_hour / INCENTIVE_SATURATION)

    def recruit(self, civic: np.ndarray, ties) -> None:
        """Monthly recruitment: propensity x peers x incentives and recognition (M4)."""
        lev = self.model.scenario.volunteers
        # Share of one's ties who volunteer, counted from the volunteers' own
        # ties (~2% of residents) rather than averaging a flag over everyone:
        # same values, 34 -> 12 ms per recruitment round at 1 M residents.
        deg = ties.degree
        peers = np.where(deg > 0, ties.count_neighbours_in(self.who) / np.maximum(deg, 1), 0.0).astype(np.float32)
        mean_civic = max(float(civic.mean()), 1e-9)
        pull = (1 + 0.5 * self._incentive_effect()) * (1 + 0.3 * lev.recognition)
        hazard = lev.recruitment_rate * (civic / mean_civic) * (1 + lev.peer_effect * peers) * pull
        joins = np.flatnonzero((self.stream.random(len(civic)) < hazard) & ~self.is_volunteer)
        self.recruit_rounds += 1
        self._add(joins)

    def serve(self, community: np.ndarray, n_communities: int, platform: bool) -> tuple[np.ndarray, np.ndarray]:
        """This week's effective hours by community: (matched to requests, informal).

        Registered volunteers are matched to what residents ask for; informal
        ones help where they choose (`INFORMAL_MIX`).
        """
        lev = self.model.scenario.volunteers
        target = np.where(self.registered, 1 - np.exp(-lev.training_hours / TRAINING_SCALE), 0.1)
        self.skill += (target - self.skill) / 26  # training spreads over half a year
        match = np.where(self.registered, MATCH_REGISTERED + MATCH_PLATFORM_BONUS * platform, MATCH_INFORMAL)
        hours = lev.hours_per_week * match * (0.3 + 0.7 * self.skill)
        where = community[self.who]
        matched = np.bincount(where, weights=hours * self.registered, minlength=n_communities)
        informal = np.bincount(where, weights=hours * ~self.registered, minlength=n_communities)
        return matched, informal

    def offered_hours(self) -> float:
        """Hours offered this week (before matching), for incentive payments."""
        return len(self.who) * self.model.scenario.volunteers.hours_per_week

    def retain(self, incentive_paid_share: float) -> None:
        """Burnout builds with untrained work and eases with rewards; some leave (M4)."""
        lev = self.model.scenario.volunteers
        reward = self._incentive_effect() * incentive_paid_share
        care = 0.5 * reward + 0.5 * lev.recognition
        self.burnout += 0.01 * (lev.hours_per_week / 2) * (1 - self.skill) - 0.02 * care
        np.clip(self.burnout, 0.0, 1.0, out=self.burnout)
        hazard = lev.dropout_rate * (1 + 2 * self.burnout) * (1 - 0.4 * reward) * (1 - 0.3 * lev.recognition) * (1 - 0.4 * self.skill)
        self.retain_rounds += 1
        stay = keyed_uniforms(self.key, self.who, np.full(len(self.who), self.retain_rounds), salt=STAY) >= hazard
        self.is_volunteer[self.who[~stay]] = False
        self.left += int((~stay).sum())
        self.who, self.registered, self.skill, self.burnout = self.who[stay], self.registered[stay], self.skill[stay], self.burnout[stay]
