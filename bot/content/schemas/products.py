"""`data/content/products/<id>.yml` (and a remote catalogue's products, the same shape as JSON): one product with its
texts, plans, specs, vouchers, reviews, review platforms and ROI figures."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import root_validator, validator

from bot.content.schemas.base import LocalText, NonEmpty, Strict

COMPANY_SIZES = ("1-10", "11-50", "51-250", "251+")
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"must be a number, got {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"must be a number, got {value!r}") from None


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number, got {value!r}")
    return value


def _day(value: Any) -> dt.date:
    if isinstance(value, str):  # a quoted date, or JSON from the remote catalogue
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError(f"must be a date like 2026-03-31, got {value!r}")
    return value


def _web_address(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"must be a web address starting with https://, got {value!r}")
    return value


class PlanEntry(Strict):
    id: NonEmpty  # type: ignore[valid-type]
    name: LocalText
    price_eur: Decimal
    per_unit: bool = False
    min_units: int = 1
    max_units: int | None = None
    one_off_eur: Decimal = Decimal(0)
    one_off_per_unit: bool = False
    description: LocalText

    _numbers = validator("price_eur", "one_off_eur", pre=True, allow_reuse=True)(_number)
    _wholes = validator("min_units", "max_units", pre=True, allow_reuse=True)(lambda v: v if v is None else _whole(v))

    @validator("price_eur", "one_off_eur")
    def _not_negative(cls, value: Decimal) -> Decimal:
        if value < 0:
            raise ValueError(f"cannot be negative, got {value}")
        return value

    @validator("min_units", "max_units")
    def _at_least_one(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError(f"must be at least 1, got {value}")
        return value


class SpecEntry(Strict):
    label: LocalText
    value: LocalText


class Discount(Strict):
    """Off a first order's one-off amount: `{percent: 10}` or `{eur: 25}`."""

    percent: Decimal | None = None
    eur: Decimal | None = None

    _numbers = validator("percent", "eur", pre=True, allow_reuse=True)(lambda v: v if v is None else _number(v))

    @validator("percent")
    def _share(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and not 0 < value <= 100:
            raise ValueError(f"must be above 0 and at most 100, got {value}")
        return value

    @validator("eur")
    def _positive(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value <= 0:
            raise ValueError(f"must be above 0, got {value}")
        return value

    @root_validator(skip_on_failure=True)
    def _one(cls, values: dict[str, Any]) -> dict[str, Any]:
        if (values.get("percent") is None) == (values.get("eur") is None):
            raise ValueError("needs exactly one of percent or eur")
        return values


class VoucherEntry(Strict):
    code: NonEmpty  # type: ignore[valid-type]
    value: LocalText
    valid_from: dt.date
    valid_until: dt.date
    discount: Discount | None = None

    _days = validator("valid_from", "valid_until", pre=True, allow_reuse=True)(_day)

    @validator("valid_until")
    def _after_start(cls, value: dt.date, values: dict[str, Any]) -> dt.date:
        start = values.get("valid_from")
        if start is not None and value < start:
            raise ValueError(f"is before valid_from ({start})")
        return value


class ReviewEntry(Strict):
    id: NonEmpty  # type: ignore[valid-type]
    rating: int
    language: Literal["de", "en"]
    text: NonEmpty  # type: ignore[valid-type]
    author: NonEmpty  # type: ignore[valid-type]
    company_size: Literal[COMPANY_SIZES] | None = None  # type: ignore[valid-type]
    date: dt.date
    source: NonEmpty  # type: ignore[valid-type]
    response: LocalText | None = None

    _rating = validator("rating", pre=True, allow_reuse=True)(_whole)
    _date = validator("date", pre=True, allow_reuse=True)(_day)

    @validator("rating")
    def _stars(cls, value: int) -> int:
        if not 1 <= value <= 5:
            raise ValueError(f"must be from 1 to 5 stars, got {value}")
        return value

    @validator("response", always=True)
    def _answered(cls, value: LocalText | None, values: dict[str, Any]) -> LocalText | None:
        if value is None and values.get("rating") is not None and values["rating"] <= 3:
            raise ValueError("is required for reviews with 1 to 3 stars (the company's answer)")
        return value


class ReviewPlatformEntry(Strict):
    """Where a customer writes a review of the product: `{name: Trustpilot, url: https://…}`."""

    name: NonEmpty  # type: ignore[valid-type]
    url: NonEmpty  # type: ignore[valid-type]

    _url = validator("url", allow_reuse=True)(_web_address)


class RoiEntry(Strict):
    unit: LocalText
    units: LocalText
    savings_rate: Decimal
    typical_energy_cost_eur: Decimal
    typical_results: LocalText | None = None

    _numbers = validator("savings_rate", "typical_energy_cost_eur", pre=True, allow_reuse=True)(_number)

    @validator("savings_rate")
    def _share(cls, value: Decimal) -> Decimal:
        if not Decimal(0) < value < Decimal(1):
            raise ValueError(f"must be a share between 0 and 1 (0.12 = 12 %), got {value}")
        return value


class ProductFile(Strict):
    """One product file."""

    id: NonEmpty  # type: ignore[valid-type]
    name: NonEmpty  # type: ignore[valid-type]
    segment: Literal["b2b", "b2c"]
    synonyms: list[NonEmpty] = []  # type: ignore[valid-type]
    short: LocalText
    description: LocalText
    features: list[LocalText]
    plans: list[PlanEntry]
    specs: list[SpecEntry] = []
    integrations: list[NonEmpty] = []  # type: ignore[valid-type]
    hosting: LocalText
    docs_url: NonEmpty  # type: ignore[valid-type]
    video_url: NonEmpty  # type: ignore[valid-type]
    vouchers: list[VoucherEntry] = []
    reviews: list[ReviewEntry]
    review_platforms: list[ReviewPlatformEntry] = []  # names unique within the product (checked in the catalogue)
    roi: RoiEntry | None = None

    _urls = validator("docs_url", "video_url", allow_reuse=True)(_web_address)

    @validator("id")
    def _id(cls, value: str) -> str:
        if not ID.match(value):
            raise ValueError("use lower-case letters, digits and hyphens only")
        return value

    @validator("synonyms", "integrations", pre=True)
    def _words(cls, value: Any) -> Any:
        return [str(item) for item in value] if isinstance(value, list) else value
