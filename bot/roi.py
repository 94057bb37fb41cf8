"""ROI and three-year total cost of ownership of a Wattwerk product: a pure calculation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MONTHS_PER_YEAR = Decimal(12)
TCO_YEARS = 3


@dataclass(frozen=True)
class PlanPrice:
    """What a plan costs: a monthly price (per unit if `per_unit`) and a one-off amount."""

    plan_id: str
    monthly_eur: Decimal
    one_off_eur: Decimal
    per_unit: bool = False
    max_units: int | None = None
    min_units: int = 1

    def covers(self, units: int) -> bool:
        return units >= self.min_units and (self.max_units is None or units <= self.max_units)

    def monthly_cost(self, units: int) -> Decimal:
        return self.monthly_eur * units if self.per_unit else self.monthly_eur

    def tco(self, units: int, years: int = TCO_YEARS) -> Decimal:
        return self.one_off_eur + self.monthly_cost(units) * MONTHS_PER_YEAR * years


@dataclass(frozen=True)
class RoiInput:
    units: int  # sites, measuring points or households
    annual_energy_cost_eur: Decimal  # today's energy cost of all units together, per year
    savings_rate: Decimal  # expected share of that cost saved, 0..1


@dataclass(frozen=True)
class RoiResult:
    plan_id: str
    annual_savings_eur: Decimal
    annual_running_cost_eur: Decimal
    one_off_cost_eur: Decimal
    net_annual_benefit_eur: Decimal
    payback_months: Decimal | None  # None: the savings never pay the cost back
    tco_3y_eur: Decimal
    net_3y_eur: Decimal


class RoiInputError(ValueError):
    """An input no real visitor can have (negative cost, more than 100 % savings, zero units)."""


def cheapest_plan(plans: Sequence[PlanPrice], units: int) -> PlanPrice:
    """The plan that covers `units` with the lowest three-year cost."""
    fitting = [plan for plan in plans if plan.covers(units)]
    if not fitting:
        raise RoiInputError(f"no plan covers {units} units")
    return min(fitting, key=lambda plan: plan.tco(units))


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def calculate_roi(data: RoiInput, plans: Sequence[PlanPrice]) -> RoiResult:
    """Annual savings, payback period and three-year TCO with the cheapest fitting plan."""
    if data.units < 1:
        raise RoiInputError("units must be at least 1")
    if data.annual_energy_cost_eur < 0:
        raise RoiInputError("energy cost cannot be negative")
    if not Decimal(0) <= data.savings_rate <= Decimal(1):
        raise RoiInputError("savings rate must be between 0 and 100 %")
    plan = cheapest_plan(plans, data.units)
    savings = data.annual_energy_cost_eur * data.savings_rate
    running = plan.monthly_cost(data.units) * MONTHS_PER_YEAR
    net_annual = savings - running
    if net_annual <= 0:
        payback: Decimal | None = None
    elif plan.one_off_eur == 0:
        payback = Decimal(0)
    else:
        payback = (plan.one_off_eur / (net_annual / MONTHS_PER_YEAR)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    tco = plan.tco(data.units)
    return RoiResult(
        plan_id=plan.plan_id,
        annual_savings_eur=_money(savings),
        annual_running_cost_eur=_money(running),
        one_off_cost_eur=_money(plan.one_off_eur),
        net_annual_benefit_eur=_money(net_annual),
        payback_months=payback,
        tco_3y_eur=_money(tco),
        net_3y_eur=_money(savings * TCO_YEARS - tco),
    )
