"""What the actions ask of the catalogue: products, fitting reviews, valid vouchers, plans."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import time
from collections.abc import Callable, Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.catalogue.loader import loaded_hash
from bot.catalogue.models import ProductRow
from bot.catalogue.schema import Plan, Product, Review, ReviewPlatform, Roi, Spec, Text, Voucher, plan_words
from bot.text import normalize, words

logger = logging.getLogger(__name__)


def _text(row: object, name: str) -> Text:
    return Text(de=getattr(row, f"{name}_de"), en=getattr(row, f"{name}_en"))


def product_from_row(row: ProductRow) -> Product:
    roi = row.roi
    return Product(
        id=row.id, name=row.name, segment=row.segment, synonyms=tuple(row.synonyms),
        short=_text(row, "short"), description=_text(row, "description"),
        features=tuple(Text(**f) for f in row.features),
        plans=tuple(
            Plan(p.id, Text(p.name_de, p.name_en), Decimal(p.price_eur), p.per_unit, p.min_units, p.max_units,
                 Decimal(p.one_off_eur), _text(p, "description"), p.one_off_per_unit)
            for p in row.plans
        ),
        specs=tuple(Spec(Text(**s["label"]), Text(**s["value"])) for s in row.specs),
        integrations=tuple(row.integrations), hosting=_text(row, "hosting"),
        docs_url=row.docs_url, video_url=row.video_url,
        vouchers=tuple(Voucher(v.code, _text(v, "value"), v.valid_from, v.valid_until, v.discount_percent,
                               v.discount_eur) for v in row.vouchers),  # fmt: skip
        reviews=tuple(
            Review(r.id, r.rating, r.language, r.text, r.author, r.company_size, r.date, r.source,
                   Text(r.response_de, r.response_en) if r.response_de and r.response_en else None)
            for r in row.reviews
        ),
        roi=None if roi is None else Roi(Text(**roi["unit"]), Text(**roi["units"]), Decimal(roi["savings_rate"]),
                                         Decimal(roi["typical_energy_cost_eur"]),
                                         Text(**roi["typical_results"]) if roi.get("typical_results") else None),
        review_platforms=tuple(ReviewPlatform(p["name"], p["url"]) for p in row.review_platforms or ()),
    )  # fmt: skip


class LocalCatalogue:
    """The catalogue as loaded into the database; re-read when `make content` loaded a new version.

    Whether a new version was loaded is asked of the database at most every `recheck_s` seconds
    (one query instead of one per action call), so an edit shows within a second."""

    def __init__(self, session_factory: sessionmaker, recheck_s: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self._session_factory = session_factory
        self._hash: str | None = None
        self._products: list[Product] = []
        self._recheck_s = recheck_s
        self._clock = clock
        self._checked_at: float | None = None

    def products(self) -> list[Product]:
        now = self._clock()
        if self._checked_at is not None and now - self._checked_at < self._recheck_s:
            return self._products
        self._checked_at = now
        with self._session_factory() as session:
            current = loaded_hash(session)
            if current != self._hash:
                rows = session.execute(select(ProductRow).order_by(ProductRow.position)).scalars().all()
                self._products = [product_from_row(row) for row in rows]
                self._hash = current
        return self._products


def find_product(text: str, products: Sequence[Product]) -> Product | None:
    """The product a message names (by id, name or an editor-maintained synonym); None if none or several."""
    norm = " " + " ".join(words(text)) + " "
    found = [
        product
        for product in products
        if any(phrase in norm for phrase in _name_phrases(product.id, product.name, tuple(product.synonyms)))
    ]
    return found[0] if len(found) == 1 else None


@functools.lru_cache(maxsize=256)
def _name_phrases(product_id: str, name: str, synonyms: tuple[str, ...]) -> tuple[str, ...]:
    """The ways a message can name a product, as " word word " phrases (computed once per product version)."""
    names = {product_id.replace("-", " "), normalize(name), *map(normalize, synonyms)}
    return tuple(f" {' '.join(words(n))} " for n in names if n)


#: plan-name words too common to name a product ("basic question", "plus shipping", "which platform")
_COMMON_PLAN_WORDS = frozenset({"basis", "basic", "plus", "platform", "plattform", "home", "sense", "business"})


def product_of_plan(text: str, products: Sequence[Product]) -> Product | None:
    """The product whose plan the message names ("was kostet professional": Business); None if none or several."""
    said = set(words(text))
    found = [product for product in products
             if any(said & (plan_words(product, plan) - _COMMON_PLAN_WORDS) for plan in product.plans)]  # fmt: skip
    return found[0] if len(found) == 1 else None


def products_for_segment(products: Sequence[Product], segment: str | None) -> list[Product]:
    return [p for p in products if segment is None or p.segment == segment] or list(products)


def valid_vouchers(product: Product, today: dt.date) -> list[Voucher]:
    """Vouchers valid today: an expired (or not yet started) code is never offered."""
    return [v for v in product.vouchers if v.valid_on(today)]


def discount_voucher(product: Product, code: str | None, today: dt.date, current: bool = False) -> Voucher | None:
    """The product's voucher with that code when it is valid today and takes something off; without one, and
    `current` (the visitor speaks of "that code"), the product's current such voucher; else None."""
    offered = [v for v in valid_vouchers(product, today) if v.has_discount]
    named = next((v for v in offered if v.code == code), None)
    if named is None and current and offered:
        return max(offered, key=lambda v: v.valid_until)
    return named


def named_voucher(products: Sequence[Product], text: str) -> tuple[Product, Voucher] | None:
    """The voucher whose code the visitor typed ("SOMMER25 geht nicht"), valid or not; None if no code is named."""
    typed = {word.upper() for word in re.findall(r"[^\W_]+", text or "")}
    for product in products:
        for voucher in product.vouchers:
            if voucher.code.upper() in typed:
                return product, voucher
    return None


def average_rating(reviews: Sequence[Review]) -> Decimal:
    if not reviews:
        return Decimal(0)
    return (Decimal(sum(r.rating for r in reviews)) / len(reviews)).quantize(Decimal("0.1"))


def _size_order(size: str | None) -> int:
    return {"1-10": 1, "11-50": 2, "51-250": 3, "251+": 4}.get(size or "", 0)


def fitting_reviews(
    reviews: Sequence[Review],
    *,
    language: str,
    company_size: int | None = None,
    skeptic: bool = False,
    count: int = 3,
) -> list[Review]:
    """Two or three reviews that fit the visitor: their language and company size first, newest first.

    A skeptic always gets at least one critical review (three stars or fewer) with the company's answer:
    honesty convinces skeptics more than praise.
    """
    wanted_size = 0
    if company_size is not None:
        wanted_size = 1 if company_size <= 10 else 2 if company_size <= 50 else 3 if company_size <= 250 else 4

    def score(review: Review) -> tuple[int, int, dt.date]:
        size_fit = -abs(_size_order(review.company_size) - wanted_size) if wanted_size else 0
        return (review.language == language, size_fit, review.date)

    ranked = sorted(reviews, key=score, reverse=True)
    positive = [r for r in ranked if r.rating >= 4]
    chosen = positive[: count - 1 if skeptic else count]
    if skeptic:
        critical = [r for r in ranked if r.rating <= 3 and r.response is not None]
        chosen += critical[:1]
    return chosen[:count]
