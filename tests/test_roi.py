"""The ROI/TCO calculation, including the edge cases a sales conversation runs into."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.roi import PlanPrice, RoiInput, RoiInputError, calculate_roi, cheapest_plan

BUSINESS = [
    PlanPrice("starter", Decimal("49"), Decimal("0"), max_units=3),
    PlanPrice("professional", Decimal("149"), Decimal("490"), max_units=15),
    PlanPrice("enterprise", Decimal("9"), Decimal("1490"), per_unit=True, min_units=16),
]
HOME = [PlanPrice("basic", Decimal("0"), Decimal("79")), PlanPrice("plus", Decimal("3.99"), Decimal("79"))]


def test_business_with_five_sites_uses_professional() -> None:
    result = calculate_roi(RoiInput(5, Decimal("60000"), Decimal("0.15")), BUSINESS)
    assert result.plan_id == "professional"
    assert result.annual_savings_eur == Decimal("9000.00")
    assert result.annual_running_cost_eur == Decimal("1788.00")
    assert result.net_annual_benefit_eur == Decimal("7212.00")
    assert result.payback_months == Decimal("0.8")  # 490 / (7212 / 12)
    assert result.tco_3y_eur == Decimal("5854.00")  # 490 + 149 * 36
    assert result.net_3y_eur == Decimal("21146.00")


def test_many_sites_are_priced_per_site() -> None:
    result = calculate_roi(RoiInput(40, Decimal("400000"), Decimal("0.1")), BUSINESS)
    assert result.plan_id == "enterprise"
    assert result.annual_running_cost_eur == Decimal("4320.00")  # 9 * 40 * 12


def test_household_payback_in_months() -> None:
    result = calculate_roi(RoiInput(1, Decimal("1400"), Decimal("0.12")), HOME)
    assert result.plan_id == "basic"
    assert result.annual_savings_eur == Decimal("168.00")
    assert result.payback_months == Decimal("5.6")
    assert result.tco_3y_eur == Decimal("79.00")


def test_zero_savings_never_pay_back() -> None:
    result = calculate_roi(RoiInput(2, Decimal("10000"), Decimal("0")), BUSINESS)
    assert result.annual_savings_eur == Decimal("0.00")
    assert result.payback_months is None
    assert result.net_3y_eur == Decimal("-1764.00")


def test_savings_below_running_cost_never_pay_back() -> None:
    result = calculate_roi(RoiInput(1, Decimal("1000"), Decimal("0.1")), BUSINESS)  # 100 € vs 588 €
    assert result.payback_months is None
    assert result.net_annual_benefit_eur == Decimal("-488.00")


def test_no_one_off_cost_pays_back_at_once() -> None:
    result = calculate_roi(RoiInput(2, Decimal("20000"), Decimal("0.15")), BUSINESS)
    assert (result.plan_id, result.payback_months) == ("starter", Decimal("0"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (RoiInput(0, Decimal("1000"), Decimal("0.1")), "units"),
        (RoiInput(1, Decimal("-5"), Decimal("0.1")), "negative"),
        (RoiInput(1, Decimal("1000"), Decimal("1.5")), "between 0 and 100"),
    ],
)
def test_impossible_inputs_are_rejected(data: RoiInput, message: str) -> None:
    with pytest.raises(RoiInputError, match=message):
        calculate_roi(data, BUSINESS)


def test_no_plan_for_too_many_units() -> None:
    with pytest.raises(RoiInputError, match="no plan covers 20 units"):
        cheapest_plan(BUSINESS[:2], 20)


def test_the_cheapest_fitting_plan_over_three_years_is_chosen() -> None:
    assert cheapest_plan(HOME, 1).plan_id == "basic"
    assert cheapest_plan(BUSINESS, 3).plan_id == "starter"
    assert cheapest_plan(BUSINESS, 4).plan_id == "professional"
    assert cheapest_plan(BUSINESS, 16).plan_id == "enterprise"
