"""The catalogue's products as the bot uses them, read from files checked by their pydantic schema
(bot/content/schemas/products.py); every mistake is reported with file, line and field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.text import words

LANGS = ("de", "en")


@dataclass(frozen=True)
class ContentProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}, {self.field}: {self.message}"


class ContentError(ValueError):
    """One or more problems in the catalogue files; nothing was loaded."""

    def __init__(self, problems: Sequence[ContentProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Text:
    de: str
    en: str

    def get(self, language: str | None) -> str:
        return self.en if language == "en" else self.de


@dataclass(frozen=True)
class Plan:
    id: str
    name: Text
    price_eur: Decimal
    per_unit: bool
    min_units: int
    max_units: int | None
    one_off_eur: Decimal
    description: Text
    #: the one-off amount is paid per unit (a Sense kit per measuring point, a Home clip per household)
    one_off_per_unit: bool = False


@dataclass(frozen=True)
class Spec:
    label: Text
    value: Text


@dataclass(frozen=True)
class Voucher:
    code: str
    value: Text
    valid_from: dt.date
    valid_until: dt.date
    #: what the code takes off the one-off amount of a first order (the device): a percentage or euros; neither for a
    #: code that gives something else (a longer trial)
    discount_percent: Decimal | None = None
    discount_eur: Decimal | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_until

    @property
    def has_discount(self) -> bool:
        return self.discount_percent is not None or self.discount_eur is not None

    def discounted(self, amount: Decimal) -> Decimal:
        """`amount` (a first order's one-off price) after this code, never below zero."""
        if self.discount_percent is not None:
            amount -= (amount * self.discount_percent / 100).quantize(Decimal("0.01"))
        elif self.discount_eur is not None:
            amount -= self.discount_eur
        return max(amount, Decimal(0))


@dataclass(frozen=True)
class Review:
    id: str
    rating: int
    language: str
    text: str
    author: str
    company_size: str | None
    date: dt.date
    source: str
    response: Text | None


@dataclass(frozen=True)
class ReviewPlatform:
    """Where a customer writes a review of the product (Trustpilot, Capterra, …): the page to link to."""

    name: str
    url: str


@dataclass(frozen=True)
class Roi:
    unit: Text
    units: Text
    savings_rate: Decimal
    typical_energy_cost_eur: Decimal
    #: what customers typically get, as editors say it ("typically 10–20 % less energy cost, paid back in 4–9 months")
    typical_results: Text | None = None


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    segment: str
    synonyms: tuple[str, ...]
    short: Text
    description: Text
    features: tuple[Text, ...]
    plans: tuple[Plan, ...]
    specs: tuple[Spec, ...]
    integrations: tuple[str, ...]
    hosting: Text
    docs_url: str
    video_url: str
    vouchers: tuple[Voucher, ...] = field(default=())
    reviews: tuple[Review, ...] = field(default=())
    roi: Roi | None = None
    #: where customers can review the product, in the editors' order (the bot invites promoters to one of them)
    review_platforms: tuple[ReviewPlatform, ...] = field(default=())


def plan_words(product: Product, plan: Plan) -> set[str]:
    """The words that name `plan` in either language, without the product's own name ("Home Plus": plus)."""
    names = {w for lang in ("de", "en") for w in words(plan.name.get(lang))}
    return names - set(words(product.name)) - {"wattwerk"}


def read_product(path: Path, display: str | None = None) -> tuple[Product | None, list[ContentProblem]]:
    """One product file: the product, or the problems that keep it from loading."""
    return parse_product_text(path.read_text(encoding="utf-8"), display or str(path), expected_id=path.stem)


def parse_product_text(
    text: str, display: str, expected_id: str | None = None
) -> tuple[Product | None, list[ContentProblem]]:
    """A product from YAML (or JSON, which is YAML too), checked like a file an editor wrote: by its pydantic schema
    (bot/content/schemas/products.py), the id against the file name, plan ids, voucher codes and review platform
    names unique (platform names ignoring case)."""
    from bot.content.schemas.base import compose, locate_in, validated
    from bot.content.schemas.products import ProductFile

    shape = "the product's fields (id, name, segment, …; see docs/content.md)"
    try:
        document, root = compose(text, display, shape)
        checked = validated(document, root, display, ProductFile, shape)
    except ContentError as error:
        return None, error.problems
    problems: list[ContentProblem] = []
    if expected_id is not None and checked.id != expected_id:
        line, _ = locate_in(root, ("id",))
        problems.append(ContentProblem(display, line, "id", f"must match the file name ({expected_id})"))
    unique = (("plans", checked.plans, "id"), ("vouchers", checked.vouchers, "code"),
              ("review_platforms", checked.review_platforms, "name"))  # fmt: skip
    for key, items, name in unique:
        seen: set[str] = set()
        for index, item in enumerate(items):
            value = getattr(item, name)
            same = value.casefold() if key == "review_platforms" else value  # "Trustpilot" and "trustpilot"
            if same in seen:
                line, field = locate_in(root, (key, index, name))
                problems.append(ContentProblem(display, line, field, f"{value!r} is used twice"))
            seen.add(same)
    if problems:
        return None, problems
    return _product(checked), []


def _text(text: Any) -> Text:
    return Text(de=text.de, en=text.en)


def _product(checked: Any) -> Product:
    """The catalogue's product from its checked file."""
    roi = checked.roi
    return Product(
        id=checked.id, name=checked.name, segment=checked.segment,
        synonyms=tuple(word.lower() for word in checked.synonyms), short=_text(checked.short),
        description=_text(checked.description), features=tuple(_text(f) for f in checked.features),
        plans=tuple(Plan(p.id, _text(p.name), p.price_eur, p.per_unit, p.min_units, p.max_units, p.one_off_eur,
                         _text(p.description), p.one_off_per_unit) for p in checked.plans),
        specs=tuple(Spec(_text(s.label), _text(s.value)) for s in checked.specs),
        integrations=tuple(checked.integrations), hosting=_text(checked.hosting), docs_url=checked.docs_url,
        video_url=checked.video_url,
        vouchers=tuple(Voucher(v.code, _text(v.value), v.valid_from, v.valid_until,
                               v.discount.percent if v.discount else None, v.discount.eur if v.discount else None)
                       for v in checked.vouchers),
        reviews=tuple(Review(r.id, r.rating, r.language, r.text, r.author, r.company_size, r.date, r.source,
                             _text(r.response) if r.response else None) for r in checked.reviews),
        roi=Roi(_text(roi.unit), _text(roi.units), roi.savings_rate, roi.typical_energy_cost_eur,
                _text(roi.typical_results) if roi.typical_results else None) if roi else None,
        review_platforms=tuple(ReviewPlatform(p.name, p.url) for p in checked.review_platforms),
    )  # fmt: skip


def read_catalogue(directory: Path, root: Path | None = None) -> list[Product]:
    """All product files under `directory`; raises ContentError listing every problem."""
    problems: list[ContentProblem] = []
    products: list[Product] = []
    files = sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml"))
    for path in files:
        display = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
        product, found = read_product(path, display)
        problems += found
        if product:
            products.append(product)
    if not files:
        problems.append(ContentProblem(str(directory), 1, "(folder)", "contains no product files (*.yml)"))
    review_ids: dict[str, str] = {}
    product_ids: dict[str, str] = {}
    for product in products:
        if product.id in product_ids:
            problems.append(ContentProblem(product.id, 1, "id", f"product id {product.id!r} is used twice"))
        product_ids[product.id] = product.id
        for review in product.reviews:
            if review.id in review_ids:
                problems.append(ContentProblem(
                    f"products/{product.id}.yml", 1, "reviews.id",
                    f"review id {review.id!r} is also used in {review_ids[review.id]}",
                ))  # fmt: skip
            review_ids[review.id] = f"products/{product.id}.yml"
    if problems:
        raise ContentError(problems)
    return products
