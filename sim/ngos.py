"""NGOs (social organisations) that take government service contracts (M2, G3).

NGOs are few, so each is a Mesa agent acting on its own: it bids in tenders,
delivers contracted hours, grows when busy, shrinks when idle and leaves the
market after two idle tenders. New NGOs enter when contracts go unfilled, more
often where the government cultivates them.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from sim.parameters import CATEGORIES

#: Markup of an NGO's bid over its cost (assumption).
MARKUP = 0.1
#: Quality bonus in an NGO's own specialisation (assumption).
SPECIALIST_BONUS = 0.15
#: Idle tenders after which an NGO leaves the market (assumption).
IDLE_EXIT = 2


@dataclass
class Contract:
    """Hours per week of one category in one community, at a price, for some weeks."""

    community: int
    category: int
    hours: float
    price: float
    weeks_left: int


class NGO(mesa.Agent):
    """A social organisation selling service hours.

    Args:
        model: the model.
        capacity: hours per week it can deliver.
        quality: service quality in [0, 1].
        cost: its cost per hour (yuan).
        specialty: index of its specialised category.
    """

    def __init__(self, model: mesa.Model, capacity: float, quality: float, cost: float, specialty: int):
        super().__init__(model)
        self.capacity = capacity
        self.quality = quality
        self.cost = cost
        self.specialty = specialty
        self.contracts: list[Contract] = []
        self.idle_tenders = 0

    @property
    def committed_hours(self) -> float:
        """Hours per week already under contract."""
        return sum(c.hours for c in self.contracts)

    def quality_for(self, category: int) -> float:
        """Quality of its service in ``category``."""
        bonus = SPECIALIST_BONUS if category == self.specialty else 0.0
        return min(1.0, self.quality + bonus)

    def bid(self, category: int) -> float:
        """Price per hour it asks."""
        return self.cost * (1 + MARKUP)

    def deliver(self, hours_matrix: np.ndarray, quality_matrix: np.ndarray, pay) -> None:
        """Deliver this week's contracted hours, paid by ``pay(amount) -> paid``."""
        for c in self.contracts:
            paid = pay(c.hours * c.price)
            delivered = paid / c.price if c.price > 0 else c.hours
            hours_matrix[c.community, c.category] += delivered
            quality_matrix[c.community, c.category] += delivered * self.quality_for(c.category)
            c.weeks_left -= 1
        self.contracts = [c for c in self.contracts if c.weeks_left > 0]

    def review(self) -> bool:
        """After a tender: grow if busy, shrink if idle; returns False if it exits."""
        use = self.committed_hours / self.capacity if self.capacity > 0 else 0.0
        if use > 0.8:
            self.capacity *= 1.15
            self.quality += 0.02 * (1 - self.quality)
            self.idle_tenders = 0
        elif use == 0:
            self.capacity *= 0.85
            self.idle_tenders += 1
        else:
            self.idle_tenders = 0
        return self.idle_tenders < IDLE_EXIT


def new_ngo(model: mesa.Model, rng: np.random.Generator, boost: float = 0.0) -> NGO:
    """A new NGO with drawn quality, cost and specialty; ``boost`` adds start-up capacity."""
    lev = model.scenario.ngos
    return NGO(
        model,
        capacity=lev.capacity_hours * (1 + boost),
        quality=float(np.clip(rng.normal(lev.quality, 0.1), 0.05, 0.95)),
        cost=float(lev.cost_per_hour * rng.lognormal(0.0, 0.2)),
        specialty=int(rng.integers(len(CATEGORIES))),
    )
