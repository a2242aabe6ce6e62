"""The funding ledger: every yuan from a source to a use (P4, M6).

Accounts are the committees (one each) plus the government's three pots.
Money enters only through `receive` (from a named source, minus leakage,
which is booked as a use), leaves only through `spend` (to a named use), and
otherwise only moves between accounts through `transfer` (a pot paying a
committee, booked by line), so at every moment::

    total received by source == total spent by use (leakage included) + balances

which `check_balanced` asserts and the property tests exercise.
"""

from __future__ import annotations

import numpy as np

SOURCES = ("public_finance", "lottery", "donations", "fees", "mobilised")
USES = ("staff_pay", "facility_running", "extra_service_hours", "ngo_contracts", "volunteer_incentives", "capital", "leakage")
#: Government pots, stored after the committee accounts.
POTS = ("purchase", "capital", "volunteer", "liaison")
#: Transfers between accounts, by line.
TRANSFERS = ("liaison_mobilised",)


class Ledger:
    """Balances and flows by source and use, per step and cumulative.

    Args:
        n_committees: number of committee accounts.
    """

    def __init__(self, n_committees: int):
        self.n_committees = n_committees
        self.balance = np.zeros(n_committees + len(POTS))
        self.total_sources = dict.fromkeys(SOURCES, 0.0)
        self.total_uses = dict.fromkeys(USES, 0.0)
        self.step_sources = dict.fromkeys(SOURCES, 0.0)
        self.step_uses = dict.fromkeys(USES, 0.0)
        self.step_leakage_by_committee = np.zeros(n_committees)
        self.total_transfers = dict.fromkeys(TRANSFERS, 0.0)

    def pot(self, name: str) -> int:
        """Account index of a government pot."""
        return self.n_committees + POTS.index(name)

    def start_step(self) -> None:
        """Reset the per-step flows."""
        for table in (self.step_sources, self.step_uses):
            for key in table:
                table[key] = 0.0
        self.step_leakage_by_committee[:] = 0.0

    def receive(self, source: str, amounts: np.ndarray | float, account: int | None = None, leak: np.ndarray | float = 0.0) -> None:
        """Credit money from ``source``; a ``leak`` share of it is lost on arrival.

        Args:
            source: one of `SOURCES`.
            amounts: per committee (array) or one amount for ``account``.
            account: a single account index, or None for all committees.
            leak: share lost, scalar or per committee.
        """
        if account is not None and isinstance(amounts, float) and not isinstance(leak, np.ndarray):
            # One amount into one account: plain floats, the same arithmetic as
            # the array path, without its dozen numpy calls (issue 12).
            lost = amounts * leak
            self.step_sources[source] += amounts
            self.total_sources[source] += amounts
            self.balance[account] += float(amounts - lost)
            self._book("leakage", float(lost))
            return
        amounts = np.asarray(amounts, dtype=float)
        lost = amounts * leak
        total = float(amounts.sum())
        self.step_sources[source] += total
        self.total_sources[source] += total
        if account is None:
            self.balance[: self.n_committees] += amounts - lost
            self.step_leakage_by_committee += lost
        else:
            self.balance[account] += float(amounts - lost)
        self._book("leakage", float(np.sum(lost)))

    def spend(self, use: str, amounts: np.ndarray | float, account: int | None = None) -> np.ndarray | float:
        """Pay up to ``amounts`` for ``use``; returns what was actually paid.

        Payments never exceed the balance, so no account goes negative.
        """
        if account is None:
            paid = np.minimum(np.asarray(amounts, dtype=float), self.balance[: self.n_committees])
            paid = np.maximum(paid, 0.0)
            self.balance[: self.n_committees] -= paid
            self._book(use, float(paid.sum()))
            return paid
        paid = max(0.0, min(float(amounts), self.balance[account]))
        self.balance[account] -= paid
        self._book(use, paid)
        return paid

    def transfer(self, line: str, source_account: int, amounts: np.ndarray) -> np.ndarray:
        """Move up to ``amounts`` (per committee) from ``source_account`` to the committees.

        When the source holds less than asked, every committee gets the same
        share of what it asked; returns what each got.
        """
        wanted = np.maximum(np.asarray(amounts, dtype=float), 0.0)
        available = max(0.0, float(self.balance[source_account]))
        asked = float(wanted.sum())
        # A hair under the exact share when short, so rounding never overdraws the source.
        share = 1.0 if asked <= available else available / asked * (1 - 1e-12)
        paid = wanted * share if asked > 0 else wanted * 0.0
        self.balance[source_account] -= float(paid.sum())
        self.balance[: self.n_committees] += paid
        self.total_transfers[line] += float(paid.sum())
        return paid

    def _book(self, use: str, amount: float) -> None:
        self.step_uses[use] += amount
        self.total_uses[use] += amount

    @property
    def committee_balance(self) -> np.ndarray:
        """Free balance of each committee (a view)."""
        return self.balance[: self.n_committees]

    def imbalance(self) -> float:
        """Sources minus uses minus balances; zero up to rounding."""
        return sum(self.total_sources.values()) - sum(self.total_uses.values()) - float(self.balance.sum())

    def check_balanced(self, rel_tol: float = 1e-9) -> None:
        """Raise AssertionError if money was created or destroyed."""
        scale = max(1.0, sum(self.total_sources.values()))
        if abs(self.imbalance()) > rel_tol * scale:
            raise AssertionError(f"ledger out of balance by {self.imbalance():.6f} yuan")
        if (self.balance < -1e-9 * scale).any():
            raise AssertionError("negative balance in the ledger")
