"""Community committees (urban 居委会, rural 村委会): time, pay, morale, service mix.

Each committee is a Mesa agent (`Committee`) that gives it identity and a
readable state; the weekly work of all committees is vectorised in
`CommitteeBoard`, because a city has thousands of them.

Rules, with the paper's clauses:
- P3: administrative tasks take staff hours first; the information platform
  (M1) cuts the hours per task.
- P1: of the hours left, only ``service_orientation`` goes to services.
- P4: committees pay their staff from their own accounts, into which the
  county sends a payroll grant (``government.payroll_funding`` of the full
  bill) with the operating money; what they cannot pay is owed (arrears).
  Pay relative to the local minimum wage, and arrears, set morale; low
  morale raises turnover; vacancies refill after a delay with less skilled
  staff, longer when pay is low or owed.
- M3, P2: responsive committees learn the service mix from what residents ask
  for; unresponsive ones keep a default mix weighted to relief.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.parameters import CATEGORIES
from sim.party import task_factor
from sim.rng import keyed_binomial, keyed_uniforms, poisson_quantile

#: Default service mix before any learning: mostly relief (P2: "service
#: content single, mostly relief for the vulnerable"). Assumption.
DEFAULT_MIX = {"relief": 0.4, "social_security": 0.15, "family_planning": 0.15, "safety": 0.1, "health": 0.08, "environment": 0.05, "culture": 0.04, "education": 0.03}
# Morale smoothing, staff learning and mix learning rates are scenario keys
# (`behaviour.*`, assumptions).
WEEKS_PER_MONTH = 52 / 12


class Committee(mesa.Agent):
    """One community committee; its state lives in the board's arrays.

    Args:
        model: the model.
        board: the `CommitteeBoard` holding all committees' arrays.
        index: this committee's row (= community index).
    """

    def __init__(self, model: mesa.Model, board: CommitteeBoard, index: int):
        super().__init__(model)
        self.board = board
        self.index = index

    @property
    def urban(self) -> bool:
        """True for an urban residents' committee, False for a village committee."""
        return bool(self.board.urban[self.index])

    @property
    def staff(self) -> float:
        """Staff in post."""
        return float(self.board.staff[self.index])

    @property
    def morale(self) -> float:
        """Morale in [0, 1]."""
        return float(self.board.morale[self.index])

    @property
    def admin_share(self) -> float:
        """Share of staff hours taken by administrative tasks last week."""
        return float(self.board.admin_share[self.index])

    @property
    def service_mix(self) -> dict[str, float]:
        """Share of service hours by category."""
        return dict(zip(CATEGORIES, self.board.mix[self.index].round(3).tolist(), strict=True))


class CommitteeBoard:
    """Vectorised state and weekly work of all committees.

    Args:
        urban: per community, True if urban.
        scenario: the `sim.Scenario`.
        key: the key of the staff draws (`sim.rng.stream_key`); departures and
            hires are counter-based, so they stay common across policies.
        staff: staff posts per committee from a district's files (NaN where
            not given: the scenario's urban/rural default), or None.
    """

    def __init__(self, urban: np.ndarray, scenario, key: int, staff: np.ndarray | None = None):
        self.urban = urban
        self.given_staff = staff
        self.key = key
        self.rounds = 0  # turnover rounds so far: the counter of the staff draws
        n = len(urban)
        self.posts = np.zeros(n)
        self.apply_levers(scenario)
        self.staff = self.posts.copy()
        self.skill = np.full(n, 0.8)
        self.morale = np.full(n, 0.6)
        self.mix = np.tile([DEFAULT_MIX[k] for k in CATEGORIES], (n, 1))
        self.demand_share = self.mix.copy()
        self.admin_share = np.zeros(n)
        self.service_hours = np.zeros(n)
        self.extra_hours = np.zeros(n)
        self.pay_share = np.ones(n)
        self.arrears = np.zeros(n)
        self.departures = np.zeros(n)
        self.facility_running_share = np.ones(n)

    def apply_levers(self, scenario) -> None:
        """Read the committee levers (at start, or when a lever changes mid-run)."""
        c, g = scenario.committees, scenario.government
        self.behaviour = scenario.behaviour
        u = self.urban
        self.posts = np.where(u, c.staff_urban, c.staff_rural)
        if self.given_staff is not None:
            self.posts = np.where(np.isnan(self.given_staff), self.posts, self.given_staff)
        self.hours = np.where(u, c.hours_urban, c.hours_rural)
        self.pay_ratio = np.where(u, c.pay_ratio_urban, c.pay_ratio_rural)
        saving = g.platform_time_saving if g.platform else 0.0
        self.admin_hours_due = g.admin_tasks * task_factor(scenario) * g.hours_per_task * (1 - saving)
        self.levers = c
        self.spend_rate = scenario.funding.committee_spend_rate

    def payroll(self) -> np.ndarray:
        """Pay due this week to the staff in post, per committee (yuan)."""
        return self.staff * self.pay_ratio * self.levers.minimum_wage / WEEKS_PER_MONTH

    def full_payroll(self) -> np.ndarray:
        """The weekly pay bill with every post filled, per committee (what the county budgets for)."""
        return self.posts * self.pay_ratio * self.levers.minimum_wage / WEEKS_PER_MONTH

    def pay_and_run(self, ledger, facilities_per_community: np.ndarray, running_cost: float) -> None:
        """Pay staff (arrears first) and facility running costs from each committee's account (P4)."""
        due = self.payroll() + self.arrears
        paid = ledger.spend("staff_pay", due)
        self.arrears = due - paid
        self.pay_share = np.divide(paid, due, out=np.ones_like(due), where=due > 0)
        running_due = facilities_per_community * running_cost / 52
        paid = ledger.spend("facility_running", running_due)
        self.facility_running_share = np.divide(paid, running_due, out=np.ones_like(paid), where=running_due > 0)

    def work(self, ledger) -> None:
        """Split staff hours into admin, control and service (P3, P1); buy extra hours."""
        total = self.staff * self.hours
        admin = np.minimum(total, self.admin_hours_due)
        self.admin_share = np.divide(admin, total, out=np.ones_like(total), where=total > 0)
        # Skill and morale make an hour productive (P4: low pay hurts motivation).
        productivity = (0.5 + 0.5 * self.skill) * (0.5 + 0.5 * self.morale)
        self.service_hours = (total - admin) * self.levers.service_orientation * productivity
        spend = ledger.committee_balance * self.spend_rate
        paid = ledger.spend("extra_service_hours", spend)
        self.extra_hours = paid / self.levers.service_hour_cost

    def turnover(self) -> None:
        """Morale follows pay and overload; departures and delayed, less skilled hires (P4)."""
        effective_pay = self.pay_ratio * self.pay_share
        # Wages owed, in months of the pay bill: a month or more owed takes the
        # full `arrears_morale` off morale's target (P4).
        monthly = self.full_payroll() * WEEKS_PER_MONTH
        owed_months = np.divide(self.arrears, monthly, out=np.zeros_like(monthly), where=monthly > 0)
        arrears_penalty = self.behaviour.arrears_morale * np.minimum(1.0, owed_months)
        target = np.clip(0.5 + 0.5 * np.tanh(2.0 * (effective_pay - 1.0)) - 0.3 * np.maximum(0.0, self.admin_share - 0.5) - arrears_penalty, 0.0, 1.0)
        self.morale += self.behaviour.morale_step * (target - self.morale)
        hazard = np.minimum(1.0, self.levers.turnover_rate * (1 + 3 * (1 - self.morale)))
        # Counter-based draws (common random numbers): post j of committee c in
        # week w draws the same uniform under every policy on the same seed.
        self.rounds += 1
        whole = np.floor(self.staff).astype(np.int64)
        self.departures = keyed_binomial(self.key, whole, hazard, self.rounds)
        self.staff = self.staff - self.departures
        vacancies = np.maximum(0.0, self.posts - self.staff)
        # Pay below the minimum wage also slows recruitment (P4).
        delay = self.levers.refill_weeks * (1 + 2 * np.maximum(0.0, 1 - effective_pay))
        committees = np.arange(len(self.staff))
        u = keyed_uniforms(self.key, committees, np.full(len(committees), self.rounds), salt=1)
        hires = np.minimum(vacancies, poisson_quantile(u, vacancies / delay))
        grown = self.staff + hires
        self.skill = np.divide(self.skill * self.staff + self.levers.new_staff_skill * hires, grown, out=self.skill.copy(), where=grown > 0)
        self.staff = grown
        self.skill += self.behaviour.staff_learning * (1 - self.skill)

    def learn_mix(self, requests: np.ndarray, participation: np.ndarray) -> None:
        """Responsive committees move their service mix towards what is asked (M3).

        Args:
            requests: open requests by community and category this week.
            participation: share of residents taking part, per community.
        """
        totals = requests.sum(axis=1, keepdims=True)
        observed = np.divide(requests, totals, out=self.demand_share.copy(), where=totals > 0)
        self.demand_share += 0.2 * (observed - self.demand_share)
        heard = participation / (participation + 0.05)
        rate = self.behaviour.mix_learning * self.levers.responsiveness * heard
        self.mix += rate[:, None] * (self.demand_share - self.mix)
        self.mix /= self.mix.sum(axis=1, keepdims=True)
