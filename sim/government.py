"""Government: funding and allocation, facility planning, purchasing, liaison.

One Mesa agent. Its rules, with the paper's clauses:
- M6, P4, G2: weekly public finance, lottery funds, donations and fees flow
  into the ledger; public finance is split between committees by the
  allocation rule; leakage falls with transparency and oversight.
- M1: every planning cycle the capital pot builds centres where the siting
  strategy says; access is recomputed.
- M2, G3: every tender interval the purchase pot buys NGO hours for the
  community-category lots with the most unmet need, scored on quality and price.
- M5: leaders linked to communities visit on a schedule; a visit takes on the
  community's longest-waiting requests with the committee's staff hours and
  moves line departments' money from the liaison pot to the committee
  (`sim.liaison`), at a cost in leader time.
- P4: committee pay is a payroll grant into committee accounts, from which
  committees pay wages (`sim.committees`): a grant below the bill means arrears.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.facilities import SITING_RULES, siting_reach
from sim.ngos import Contract, new_ngo

#: Government pots leak half as much as committee accounts (assumption).
POT_LEAK_FACTOR = 0.5


class Government(mesa.Agent):
    """The county/district government.

    Args:
        model: the model (its layout, ledger and committees must exist).
    """

    def __init__(self, model: mesa.Model):
        super().__init__(model)
        self.leader_hours = 0.0
        self.visits = 0
        self.resolved = 0
        self.apply_levers(model.scenario)
        self.links = self.link_leaders()

    # -- levers ---------------------------------------------------------------

    def apply_levers(self, scenario) -> None:
        """Recompute what depends on levers (at start, or after a change mid-run)."""
        m = self.model
        self.population = m.layout.community_size * scenario.world.scale
        urban = m.layout.community_urban
        f = scenario.funding
        self.donations = np.where(urban, f.donations_per_capita_urban, f.donations_per_capita_rural) * self.population / 52
        self.fees = np.where(urban, f.fees_per_capita_urban, f.fees_per_capita_rural) * self.population / 52
        self.leak = f.leakage_rate * (1 - scenario.committees.transparency) * (1 - f.oversight)
        self.pot_leak = f.leakage_rate * (1 - f.oversight) * POT_LEAK_FACTOR
        self.weights = self._allocation_weights()

    def _allocation_weights(self) -> np.ndarray:
        """Shares of public finance per committee under the allocation rule (G2)."""
        g = self.scenario.government
        m = self.model
        needs = m.expected_needs * self.scenario.world.scale
        rule = g.allocation_rule.value
        if rule == "per_capita":
            w = self.population.astype(float)
        elif rule == "needs_based":
            w = needs
        elif rule == "urban_biased":
            w = self.population * np.where(m.layout.community_urban, g.urban_bias, 1.0)
        else:  # equalising: top up communities whose own revenue per need is low
            budget = g.budget_per_capita * self.population.sum() / 52 * (1 - g.purchase_share)
            own = self.donations + self.fees
            target = (budget + own.sum()) * needs / needs.sum()
            w = np.maximum(0.0, target - own)
            if w.sum() == 0:
                w = needs
        return w / w.sum()

    # -- weekly money ---------------------------------------------------------

    def fund(self, ledger) -> None:
        """Weekly inflows from every source into committees and pots (M6, P4)."""
        g, f = self.scenario.government, self.scenario.funding
        people = self.population.sum()
        operating = g.budget_per_capita * people / 52
        # Staff pay is a separate fiscal line (P4): a payroll grant sized on the
        # full pay bill goes into committee accounts, and committees pay their
        # staff from them (`CommitteeBoard.pay_and_run`); a grant below the
        # bill, or money spent elsewhere, leaves wages owed. Wages pass through
        # the fiscal payroll system, so they do not leak (assumption).
        ledger.receive("public_finance", g.payroll_funding * self.model.committees.full_payroll())
        ledger.receive("public_finance", operating * (1 - g.purchase_share) * self.weights, leak=self.leak)
        ledger.receive("public_finance", operating * g.purchase_share, account=ledger.pot("purchase"), leak=self.pot_leak)
        ledger.receive("public_finance", self.scenario.planning.capital_per_capita * people / 52, account=ledger.pot("capital"), leak=self.pot_leak)
        lottery = f.lottery_per_capita * people / 52
        ledger.receive("lottery", lottery / 2, account=ledger.pot("capital"), leak=self.pot_leak)
        ledger.receive("lottery", lottery / 2, account=ledger.pot("volunteer"), leak=self.pot_leak)
        ledger.receive("donations", self.donations, leak=self.leak)
        ledger.receive("fees", self.fees, leak=self.leak)
        # Line departments' money that leaders may mobilise (M5), into its own pot.
        ledger.receive("mobilised", self.scenario.liaison.department_funds / 52, account=ledger.pot("liaison"), leak=self.pot_leak)

    def pay_volunteer_incentives(self, ledger, offered_hours: float) -> float:
        """Pay incentives from the volunteer pot, topped up from public finance (M4).

        Returns:
            the share of the incentive bill paid (1 unless pots leak it away).
        """
        bill = self.scenario.volunteers.incentive_per_hour * offered_hours  # people's hours (sim.volunteers)
        if bill <= 0:
            return 1.0
        pot = ledger.pot("volunteer")
        short = max(0.0, bill - ledger.balance[pot])
        if short > 0:
            ledger.receive("public_finance", short, account=pot, leak=self.pot_leak)
        return ledger.spend("volunteer_incentives", bill, account=pot) / bill

    # -- planning (M1) --------------------------------------------------------

    def plan(self, ledger, rng: np.random.Generator) -> int:
        """Build as many centres as the capital pot affords, where the strategy says.

        Returns:
            the number of centres built.
        """
        p = self.scenario.planning
        m = self.model
        # At most one new centre per community a round: a county does not
        # build more in a year, and it bounds the work of a planning round.
        n_new = min(int(ledger.balance[ledger.pot("capital")] // p.facility_cost), len(m.layout.community_size))
        if n_new == 0:
            return 0
        ctx = self._siting_context()
        for c in SITING_RULES[p.strategy.value](n_new, ctx, rng):
            ledger.spend("capital", p.facility_cost, account=ledger.pot("capital"))
            m.facilities.add(c, *m.layout.site(c, rng), p.facility_capacity)
        return n_new

    def _siting_context(self) -> dict:
        m = self.model
        p = self.scenario.planning
        lay = m.layout
        n = len(lay.community_size)
        mean_access = np.bincount(m.residents.community, weights=m.residents.access, minlength=n) / np.maximum(lay.community_size, 1)
        reach = siting_reach(lay, m.neighbours, p)  # sparse: a dense C x C was 200 MB at 5,000 communities
        return {
            "population": self.population.astype(float),
            "centres": m.facilities.per_community(n),
            "mean_access": mean_access,
            "urban": lay.community_urban.astype(int),
            "capacity": p.facility_capacity,
            "reach": reach,
        }

    # -- purchasing (M2, G3) ----------------------------------------------------

    def tender(self, ledger, unmet: np.ndarray, rng: np.random.Generator) -> None:
        """Buy NGO hours for the lots with the most unmet need.

        Args:
            ledger: the ledger (the purchase pot pays).
            unmet: recent unmet needs by community and category (real people).
            rng: the "ngos" stream.
        """
        g, lev = self.scenario.government, self.scenario.ngos
        m = self.model
        interval = g.tender_interval_weeks
        budget = ledger.balance[ledger.pot("purchase")] - self._committed_spend(interval)
        ngos = list(m.ngos)
        flat = unmet.ravel()
        lots = np.argsort(-flat, kind="stable")[: 3 * len(ngos) + 5]
        lots = lots[flat[lots] > 0]
        unfilled = 0.0
        if budget > 0 and len(lots):
            shares = flat[lots] / flat[lots].sum()
            hours_per_need = self.scenario.committees.hours_per_need
            for lot, share in zip(lots.tolist(), shares.tolist(), strict=True):
                c, k = divmod(lot, unmet.shape[1])
                money = budget * share
                bidders = [n for n in ngos if n.capacity - n.committed_hours > 1.0]
                if not bidders:
                    unfilled += money
                    continue
                prices = np.array([n.bid(k) for n in bidders])
                quality = np.array([n.quality_for(k) for n in bidders])
                score = g.tender_quality_weight * quality - (1 - g.tender_quality_weight) * prices / np.median(prices) / 2
                win = bidders[int(np.argmax(score))]
                # Hours per week: the lot's weekly unmet flow of needs times the
                # hours a need takes, and no more than the money buys per week.
                wanted = min(money / (interval * prices[int(np.argmax(score))]), flat[lot] * hours_per_need)
                hours = min(wanted, win.capacity - win.committed_hours)
                if hours > 0:
                    win.contracts.append(Contract(c, k, hours, win.bid(k), interval))
                unfilled += money * (1 - hours / wanted) if wanted > 0 else 0.0
        for ngo in ngos:
            if not ngo.review():
                ngo.remove()
        pressure = unfilled / budget if budget > 0 else 0.0
        if len(m.ngos) < lev.max_ngos and rng.random() < lev.entry_rate * (pressure + g.ngo_cultivation):
            new_ngo(m, rng, boost=g.ngo_cultivation)

    def _committed_spend(self, weeks: int) -> float:
        return sum(c.hours * c.price * min(c.weeks_left, weeks) for n in self.model.ngos for c in n.contracts)

    # -- liaison (M5) ---------------------------------------------------------

    def link_leaders(self) -> np.ndarray:
        """Link each leader to communities, villages and the most populous first.

        Returns:
            array of (community, visit offset) rows.
        """
        lev = self.scenario.liaison
        lay = self.model.layout
        n_links = lev.leaders * lev.communities_per_leader
        order = np.lexsort((-lay.community_size, lay.community_urban))[:n_links]
        offsets = np.arange(n_links) % lev.visit_interval_weeks
        return np.stack([order, offsets], axis=1) if n_links else np.zeros((0, 2), dtype=np.int64)

    def visits_due(self, week: int) -> np.ndarray:
        """Communities a leader visits this week."""
        interval = self.scenario.liaison.visit_interval_weeks
        if len(self.links) == 0:
            return np.zeros(0, dtype=np.int64)
        due = (week + self.links[:, 1]) % interval == 0
        return self.links[due, 0]

    def visit(self, communities: np.ndarray, ledger) -> np.ndarray:
        """Book the leader time and move mobilised money from the liaison pot to the visited committees.

        Returns:
            the money each visited community received (yuan, one per community of ``communities``).
        """
        lev = self.scenario.liaison
        if len(communities) == 0:
            return np.zeros(0)
        self.visits += len(communities)
        self.leader_hours += lev.hours_per_visit * len(communities)
        wanted = np.bincount(communities, minlength=len(self.population)) * lev.mobilised_funds
        got = ledger.transfer("liaison_mobilised", ledger.pot("liaison"), wanted)
        return got[communities]
