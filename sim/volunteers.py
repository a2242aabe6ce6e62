"""The volunteer lifecycle (M4).

Recruitment, registration, training, matching, service, burnout and retention.
Volunteers are residents; the population of volunteers is one Mesa agent,
`Volunteers`, holding sparse arrays and a count per resident agent.
Recruitment runs monthly over all residents, vectorised; the weekly work
touches only the volunteers.

Volunteering is drawn per person, whatever ``world.scale``. A row of the
arrays is a *cohort*: the people of one resident agent who joined in one
recruitment round with one registration status. Its members share skill and
burnout, which evolve alike, and leave one by one (a binomial count). With
one agent per person a cohort is one person; with k people per agent an
agent's people join, serve and leave separately, so a community's volunteer
hours do not come in lumps of k (those lumps cost coverage, which is concave
in supply: docs/performance.md).
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.jit import kernel
from sim.parameters import CATEGORIES
from sim.party import recruitment_factor
from sim.rng import keyed_binomial, keyed_uniforms, stream_key

#: Where informal volunteers help, unmatched to requests (mutual aid: culture,
#: safety patrols, environment, visiting the elderly). Assumption.
INFORMAL_MIX = np.array([{"health": 0.25, "culture": 0.25, "safety": 0.25, "environment": 0.25}.get(k, 0.0) for k in CATEGORIES])
# Match shares, incentive saturation, training scale and a new volunteer's
# skill are scenario keys (`behaviour.*`, assumptions).
#: Salts of the counter-based draws: registering on joining; staying a week
#: (offset by the cohort, so two cohorts of one agent draw apart); an agent's
#: head count when ``world.scale`` is not a whole number.
REGISTER, STAY, HEADCOUNT = 1, 2, 3


class Volunteers(mesa.Agent):
    """All volunteers as one vectorised Mesa agent.

    Args:
        model: the model.
        initial_propensity: per resident agent, the chance that a person
            volunteers at the start.

    Attributes:
        capacity: people who may volunteer, per resident agent: ``world.scale``,
            or for a scale such as 2.5, 2 or 3 (3 with chance 0.5), so k on average.
        people: their sum, the district's head count for the volunteer rate.
        volunteering: people volunteering, per resident agent.
        who, count, registered, joined, skill, burnout: per cohort, its
            agent, size, registration, recruitment round, skill and burnout.
        recruited, left: people who joined and who left so far.
    """

    def __init__(self, model: mesa.Model, initial_propensity: np.ndarray):
        super().__init__(model)
        # Who joins is drawn from the plain "volunteers" stream: one number
        # (per person at k > 1: a binomial count) per agent and round, a
        # fixed amount, so the stream stays aligned across policies. Who
        # registers and who stays are drawn for varying sets of volunteers,
        # so they are counter-based (`keyed_binomial`: by agent, round and
        # trial), which keeps them common across policies too.
        self.stream = model.streams["volunteers"]
        self.key = stream_key(model.entropy, "volunteers")
        self.scale = float(model.scenario.world.scale)
        self.recruit_rounds = 0
        self.retain_rounds = 0
        n = len(initial_propensity)
        whole = int(np.floor(self.scale))
        self.capacity = np.full(n, whole, np.int64)
        if self.scale > whole:
            agents = np.arange(n)
            self.capacity += keyed_uniforms(self.key, agents, np.zeros(n, np.int64), salt=HEADCOUNT) < self.scale - whole
        self.people = int(self.capacity.sum())  # the head count, fixed for the run
        self.volunteering = np.zeros(n, np.int64)
        self.who = np.zeros(0, np.int64)
        self.count = np.zeros(0, np.int64)
        self.registered = np.zeros(0, bool)
        self.joined = np.zeros(0, np.int64)
        self.skill = np.zeros(0)
        self.burnout = np.zeros(0)
        self.recruited = 0
        self.left = 0
        self._join(initial_propensity)

    def __len__(self) -> int:
        """People volunteering."""
        return int(self.count.sum())

    def _join(self, chance: np.ndarray) -> None:
        """Each person not yet volunteering joins with ``chance`` (of her agent); registration drawn per person."""
        free = self.capacity - self.volunteering
        if self.scale == 1:
            joins = ((self.stream.random(len(chance)) < chance) & (free >= 1)).astype(np.int64)
        else:
            joins = self.stream.binomial(free, np.clip(chance, 0.0, 1.0))
        agents = np.flatnonzero(joins)
        joins = joins[agents]
        lev = self.model.scenario.volunteers
        registered = keyed_binomial(self.key, joins, np.full(len(agents), lev.registration), self.recruit_rounds, salt=REGISTER, units=agents)
        for flag, size in ((True, registered), (False, joins - registered)):
            new = size > 0
            self.who = np.concatenate([self.who, agents[new]])
            self.count = np.concatenate([self.count, size[new]])
            self.registered = np.concatenate([self.registered, np.full(int(new.sum()), flag)])
            self.joined = np.concatenate([self.joined, np.full(int(new.sum()), self.recruit_rounds, np.int64)])
            self.skill = np.concatenate([self.skill, np.full(int(new.sum()), self.model.scenario.behaviour.new_volunteer_skill)])
            self.burnout = np.concatenate([self.burnout, np.zeros(int(new.sum()))])
        self.volunteering[agents] += joins
        self.recruited += int(joins.sum())

    def _incentive_effect(self) -> float:
        scenario = self.model.scenario
        return min(1.0, scenario.volunteers.incentive_per_hour / scenario.behaviour.incentive_saturation)

    def recruit(self, civic: np.ndarray, ties) -> None:
        """Monthly recruitment: propensity x peers x incentives and recognition (M4)."""
        lev = self.model.scenario.volunteers
        # Share of one's ties who volunteer, counted from the volunteers' own
        # ties (~2% of residents) rather than averaging a flag over everyone:
        # same values, 34 -> 12 ms per recruitment round at 1 M residents.
        # A tie to an agent of k people counts the share of them volunteering.
        members = np.flatnonzero(self.volunteering)
        weights = np.ones(0) if self.scale == 1 else self.volunteering[members] / self.scale
        mean_civic = max(float(civic.mean()), 1e-9)
        pull = (1 + 0.5 * self._incentive_effect()) * (1 + 0.3 * lev.recognition) * recruitment_factor(self.model.scenario)
        like = civic.dtype.type  # scalars rounded to the civic array's type, as numpy's arithmetic rounds them
        hazard = _recruitment_hazard(ties.indptr, ties.indices, members, weights, civic, like(mean_civic), like(lev.recruitment_rate), np.float32(lev.peer_effect), like(pull))
        self.recruit_rounds += 1
        self._join(hazard)

    def serve(self, community: np.ndarray, n_communities: int, platform: bool) -> tuple[np.ndarray, np.ndarray]:
        """This week's effective hours (people's) by community: (matched to requests, informal).

        Registered volunteers are matched to what residents ask for; informal
        ones help where they choose (`INFORMAL_MIX`).
        """
        lev, b = self.model.scenario.volunteers, self.model.scenario.behaviour
        trained = 1 - np.exp(-lev.training_hours / b.training_scale)
        match = min(1.0, b.match_registered + b.platform_match_bonus * platform)
        matched, informal = np.zeros(n_communities), np.zeros(n_communities)
        _train_and_serve(self.skill, self.registered, self.count, community[self.who], float(trained), b.new_volunteer_skill, match, b.match_informal, lev.hours_per_week, matched, informal)
        return matched, informal

    def offered_hours(self) -> float:
        """People's hours offered this week (before matching), for incentive payments."""
        return len(self) * self.model.scenario.volunteers.hours_per_week

    def retain(self, incentive_paid_share: float) -> None:
        """Burnout builds with untrained work and eases with rewards; some leave, one by one (M4)."""
        lev = self.model.scenario.volunteers
        reward = self._incentive_effect() * incentive_paid_share
        care = 0.5 * reward + 0.5 * lev.recognition
        hazard = _burn_out(self.burnout, self.skill, 0.01 * (lev.hours_per_week / 2), 0.02 * care, lev.dropout_rate, 1 - 0.4 * reward, 1 - 0.3 * lev.recognition)
        self.retain_rounds += 1
        cohort = STAY + 4 * (2 * self.joined + self.registered)
        leaving = keyed_binomial(self.key, self.count, hazard, self.retain_rounds, salt=cohort, units=self.who)
        _leave(self.volunteering, self.who, leaving)  # np.subtract.at took ~0.2 ms a week here
        self.left += int(leaving.sum())
        self.count = self.count - leaving
        stay = self.count > 0
        self.who, self.count, self.registered, self.joined = self.who[stay], self.count[stay], self.registered[stay], self.joined[stay]
        self.skill, self.burnout = self.skill[stay], self.burnout[stay]


# Compiled loops of the weekly volunteer work (sim.jit, issue 12): the same
# arithmetic, in the same order, as the numpy expressions they replaced.


@kernel
def _train_and_serve(skill, registered, count, community, trained, new_skill, match_registered, match_informal, hours_per_week, matched, informal):
    """Training moves each cohort's skill towards its target over half a year; its hours go to its community, matched or informal (M4)."""
    for i in range(len(skill)):
        target = trained if registered[i] else new_skill
        skill[i] += (target - skill[i]) / 26
        match = match_registered if registered[i] else match_informal
        hours = hours_per_week * match * (0.3 + 0.7 * skill[i]) * count[i]
        matched[community[i]] += hours * registered[i]
        informal[community[i]] += hours * (not registered[i])


@kernel
def _burn_out(burnout, skill, strain, care, dropout_rate, reward_factor, recognition_factor):
    """Burnout builds with untrained work and eases with care, within [0, 1]; returns each cohort's hazard of leaving (M4)."""
    hazard = np.empty(len(burnout))
    for i in range(len(burnout)):
        burnout[i] = min(max(burnout[i] + (strain * (1 - skill[i]) - care), 0.0), 1.0)
        hazard[i] = dropout_rate * (1 + 2 * burnout[i]) * reward_factor * recognition_factor * (1 - 0.4 * skill[i])
    return hazard


@kernel
def _recruitment_hazard(indptr, indices, members, weights, civic, mean_civic, rate, peer_effect, pull):
    """Each resident's chance to join this round, in the civic array's type: civic propensity x peers x pull (M4).

    Peers are the share of one's ties who volunteer, counted from the
    volunteers' own ties (ties are symmetric); with ``weights`` (k > 1) a tie
    to an agent counts the share of its people volunteering.
    """
    n = len(indptr) - 1
    ties_in = np.zeros(n)
    weighted = len(weights) > 0
    for m in range(len(members)):
        v = members[m]
        for t in range(indptr[v], indptr[v + 1]):
            ties_in[indices[t]] += weights[m] if weighted else 1.0
    hazard = np.empty(n, civic.dtype)
    for i in range(n):
        degree = indptr[i + 1] - indptr[i]
        peers = np.float32(ties_in[i] / degree) if degree > 0 else np.float32(0.0)  # a float32 share, as before
        hazard[i] = rate * (civic[i] / mean_civic) * (np.float32(1.0) + peer_effect * peers) * pull
    return hazard


@kernel
def _leave(volunteering, who, leaving):
    """``np.subtract.at(volunteering, who, leaving)``: whole people, so exact in any order."""
    for i in range(len(who)):
        volunteering[who[i]] -= leaving[i]
