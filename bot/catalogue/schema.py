"""Reads and checks catalogue files; every mistake is reported with file, line and field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from bot.text import words

LANGS = ("de", "en")
SEGMENTS = ("b2b", "b2c")
COMPANY_SIZES = ("1-10", "11-50", "51-250", "251+")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


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


def plan_words(product: Product, plan: Plan) -> set[str]:
    """The words that name `plan` in either language, without the product's own name ("Home Plus": plus)."""
    names = {w for lang in ("de", "en") for w in words(plan.name.get(lang))}
    return names - set(words(product.name)) - {"wattwerk"}


# ---------------------------------------------------------------------------------------------


class _Reader:
    """Walks one parsed YAML document, remembering the line of every value for messages."""

    def __init__(self, text: str, display: str) -> None:
        self.display = display
        self.problems: list[ContentProblem] = []
        try:
            self.root = yaml.compose(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            self.problems.append(
                ContentProblem(display, line, "(file)", f"not valid YAML: {getattr(exc, 'problem', exc)}")
            )
            self.root = None

    def problem(self, node: yaml.Node | None, where: str, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(ContentProblem(self.display, line, where, message))

    @staticmethod
    def value(node: yaml.Node) -> Any:
        return yaml.safe_load(yaml.serialize(node))

    def mapping(self, node: yaml.Node | None, where: str) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, where, "must be a mapping (key: value lines)")
            return None
        result: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if key.value in result:
                self.problem(key, f"{where}.{key.value}" if where else key.value, "appears twice")
            result[str(key.value)] = value
        return result

    def items(self, parent: Mapping[str, yaml.Node], key: str, where: str, required: bool = True) -> list[yaml.Node]:
        node = parent.get(key)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.value in ("", "null", "~")):
            if required:
                self.problem(None if node is None else node, f"{where}{key}", "is missing")
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{where}{key}", "must be a list (lines starting with '- ')")
            return []
        return list(node.value)

    def scalar(
        self,
        parent: Mapping[str, yaml.Node],
        key: str,
        where: str,
        kind: type,
        required: bool = True,
        parent_node: yaml.Node | None = None,
    ) -> Any:
        node = parent.get(key)
        name = f"{where}{key}"
        if node is None:
            if required:
                self.problem(parent_node, name, "is missing")
            return None
        value = self.value(node)
        if value is None:
            if required:
                self.problem(node, name, "is empty")
            return None
        if kind is Decimal:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                self.problem(node, name, f"must be a number, got {value!r}")
                return None
            try:
                return Decimal(str(value))
            except InvalidOperation:
                self.problem(node, name, f"must be a number, got {value!r}")
                return None
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            self.problem(node, name, f"must be a whole number, got {value!r}")
            return None
        if kind is dt.date:
            if isinstance(value, str):  # a quoted date, or JSON from the remote catalogue
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    pass
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                self.problem(node, name, f"must be a date like 2026-03-31, got {value!r}")
                return None
            return value
        if kind is str and not isinstance(value, str | int | float):
            self.problem(node, name, f"must be a text, got {value!r}")
            return None
        if kind is bool and not isinstance(value, bool):
            self.problem(node, name, f"must be true or false, got {value!r}")
            return None
        return str(value) if kind is str else value

    def text(
        self,
        parent: Mapping[str, yaml.Node],
        key: str,
        where: str,
        parent_node: yaml.Node | None,
        required: bool = True,
    ) -> Text | None:
        node = parent.get(key)
        if node is None:
            if required:
                self.problem(parent_node, f"{where}{key}", "is missing (needs de: and en: texts)")
            return None
        return self.text_node(node, f"{where}{key}")

    def text_node(self, node: yaml.Node, where: str) -> Text | None:
        mapping = self.mapping(node, where)
        if mapping is None:
            return None
        values = {}
        for lang in LANGS:
            value = self.scalar(mapping, lang, f"{where}.", str, parent_node=node)
            if value is not None and not value.strip():
                self.problem(mapping[lang], f"{where}.{lang}", "is empty")
            values[lang] = value
        extra = set(mapping) - set(LANGS)
        if extra:
            self.problem(node, where, f"unknown language(s) {', '.join(sorted(extra))}; use de and en")
        if values["de"] is None or values["en"] is None:
            return None
        return Text(de=values["de"], en=values["en"])


def _plan(r: _Reader, node: yaml.Node, where: str) -> Plan | None:
    m = r.mapping(node, where)
    if m is None:
        return None
    w = f"{where}."
    pid = r.scalar(m, "id", w, str, parent_node=node)
    price = r.scalar(m, "price_eur", w, Decimal, parent_node=node)
    one_off = r.scalar(m, "one_off_eur", w, Decimal, required=False, parent_node=node)
    per_unit = r.scalar(m, "per_unit", w, bool, required=False, parent_node=node)
    once_per_unit = r.scalar(m, "one_off_per_unit", w, bool, required=False, parent_node=node)
    min_units = r.scalar(m, "min_units", w, int, required=False, parent_node=node)
    max_units = r.scalar(m, "max_units", w, int, required=False, parent_node=node)
    name = r.text(m, "name", w, node)
    description = r.text(m, "description", w, node)
    for key, value in (("price_eur", price), ("one_off_eur", one_off)):
        if value is not None and value < 0:
            r.problem(m[key], f"{w}{key}", f"cannot be negative, got {value}")
    for key, value in (("min_units", min_units), ("max_units", max_units)):
        if value is not None and value < 1:
            r.problem(m[key], f"{w}{key}", f"must be at least 1, got {value}")
    if None in (pid, price, name, description):
        return None
    return Plan(pid, name, price, bool(per_unit), min_units or 1, max_units, one_off or Decimal(0), description,
                bool(once_per_unit))


def _review(r: _Reader, node: yaml.Node, where: str) -> Review | None:
    m = r.mapping(node, where)
    if m is None:
        return None
    w = f"{where}."
    rid = r.scalar(m, "id", w, str, parent_node=node)
    rating = r.scalar(m, "rating", w, int, parent_node=node)
    language = r.scalar(m, "language", w, str, parent_node=node)
    text = r.scalar(m, "text", w, str, parent_node=node)
    author = r.scalar(m, "author", w, str, parent_node=node)
    size = r.scalar(m, "company_size", w, str, required=False, parent_node=node)
    date = r.scalar(m, "date", w, dt.date, parent_node=node)
    source = r.scalar(m, "source", w, str, parent_node=node)
    response = r.text(m, "response", w, node, required=False)
    if rating is not None and not 1 <= rating <= 5:
        r.problem(m["rating"], f"{w}rating", f"must be from 1 to 5 stars, got {rating}")
    if language is not None and language not in LANGS:
        r.problem(m["language"], f"{w}language", f"must be de or en, got {language!r}")
    if size is not None and size not in COMPANY_SIZES:
        r.problem(m["company_size"], f"{w}company_size", f"must be one of {', '.join(COMPANY_SIZES)} or null")
    if rating is not None and rating <= 3 and "response" not in m:
        r.problem(node, f"{w}response", "is required for reviews with 1 to 3 stars (the company's answer)")
    if None in (rid, rating, language, text, author, date, source):
        return None
    return Review(rid, rating, language, text, author, size, date, source, response)


def _voucher(r: _Reader, node: yaml.Node, where: str) -> Voucher | None:
    m = r.mapping(node, where)
    if m is None:
        return None
    w = f"{where}."
    code = r.scalar(m, "code", w, str, parent_node=node)
    value = r.text(m, "value", w, node)
    start = r.scalar(m, "valid_from", w, dt.date, parent_node=node)
    end = r.scalar(m, "valid_until", w, dt.date, parent_node=node)
    if start and end and end < start:
        r.problem(m["valid_until"], f"{w}valid_until", f"is before valid_from ({start})")
    percent, eur = _discount(r, m.get("discount"), f"{w}discount")
    if None in (code, value, start, end):
        return None
    return Voucher(code, value, start, end, percent, eur)


def _discount(r: _Reader, node: yaml.Node | None, where: str) -> tuple[Decimal | None, Decimal | None]:
    """`discount: {percent: 10}` or `discount: {eur: 25}` (off a first order's one-off amount); optional."""
    if node is None:
        return None, None
    m = r.mapping(node, where)
    if m is None:
        return None, None
    unknown = set(m) - {"percent", "eur"}
    if unknown or len(m) != 1:
        r.problem(node, where, "needs exactly one of percent or eur" + (f" (unknown: {', '.join(sorted(unknown))})"
                                                                          if unknown else ""))  # fmt: skip
        return None, None
    key = next(iter(m))
    amount = r.scalar(m, key, f"{where}.", Decimal, parent_node=node)
    if amount is None:
        return None, None
    if amount <= 0 or (key == "percent" and amount > 100):
        r.problem(m[key], f"{where}.{key}", f"must be above 0{' and at most 100' if key == 'percent' else ''}, "
                                             f"got {amount}")  # fmt: skip
        return None, None
    return (amount, None) if key == "percent" else (None, amount)


def read_product(path: Path, display: str | None = None) -> tuple[Product | None, list[ContentProblem]]:
    """One product file: the product, or the problems that keep it from loading."""
    return parse_product_text(path.read_text(encoding="utf-8"), display or str(path), expected_id=path.stem)


def parse_product_text(
    text: str, display: str, expected_id: str | None = None
) -> tuple[Product | None, list[ContentProblem]]:
    """A product from YAML (or JSON, which is YAML too), checked like a file an editor wrote."""
    r = _Reader(text, display)
    if r.root is None:
        if not r.problems:
            r.problem(None, "(file)", "is empty")
        return None, r.problems
    m = r.mapping(r.root, "")
    if m is None:
        return None, r.problems
    root = r.root
    pid = r.scalar(m, "id", "", str, parent_node=root)
    if pid is not None and not _ID.match(pid):
        r.problem(m["id"], "id", "use lower-case letters, digits and hyphens only")
    if pid is not None and expected_id is not None and pid != expected_id:
        r.problem(m["id"], "id", f"must match the file name ({expected_id})")
    name = r.scalar(m, "name", "", str, parent_node=root)
    segment = r.scalar(m, "segment", "", str, parent_node=root)
    if segment is not None and segment not in SEGMENTS:
        r.problem(m["segment"], "segment", f"must be b2b or b2c, got {segment!r}")
    synonyms = tuple(str(r.value(n)).lower() for n in r.items(m, "synonyms", "", required=False))
    short = r.text(m, "short", "", root)
    description = r.text(m, "description", "", root)
    features = tuple(t for i, n in enumerate(r.items(m, "features", "")) if (t := r.text_node(n, f"features[{i + 1}]")))
    plans = tuple(p for i, n in enumerate(r.items(m, "plans", "")) if (p := _plan(r, n, f"plans[{i + 1}]")))
    specs = []
    for i, n in enumerate(r.items(m, "specs", "", required=False)):
        sm = r.mapping(n, f"specs[{i + 1}]")
        if sm is not None:
            label, value = r.text(sm, "label", f"specs[{i + 1}].", n), r.text(sm, "value", f"specs[{i + 1}].", n)
            if label and value:
                specs.append(Spec(label, value))
    integrations = tuple(str(r.value(n)) for n in r.items(m, "integrations", "", required=False))
    hosting = r.text(m, "hosting", "", root)
    docs_url = r.scalar(m, "docs_url", "", str, parent_node=root)
    video_url = r.scalar(m, "video_url", "", str, parent_node=root)
    for key, url in (("docs_url", docs_url), ("video_url", video_url)):
        if url is not None and not url.startswith(("https://", "http://")):
            r.problem(m[key], key, f"must be a web address starting with https://, got {url!r}")
    vouchers = tuple(
        v
        for i, n in enumerate(r.items(m, "vouchers", "", required=False))
        if (v := _voucher(r, n, f"vouchers[{i + 1}]"))
    )
    reviews = tuple(v for i, n in enumerate(r.items(m, "reviews", "")) if (v := _review(r, n, f"reviews[{i + 1}]")))
    roi = None
    roi_node = m.get("roi")
    if roi_node is not None:
        rm = r.mapping(roi_node, "roi")
        if rm is not None:
            unit = r.text(rm, "unit", "roi.", roi_node)
            units = r.text(rm, "units", "roi.", roi_node)
            rate = r.scalar(rm, "savings_rate", "roi.", Decimal, parent_node=roi_node)
            typical = r.scalar(rm, "typical_energy_cost_eur", "roi.", Decimal, parent_node=roi_node)
            results = r.text(rm, "typical_results", "roi.", roi_node, required=False)
            if rate is not None and not Decimal(0) < rate < Decimal(1):
                r.problem(
                    rm["savings_rate"], "roi.savings_rate", f"must be a share between 0 and 1 (0.12 = 12 %), got {rate}"
                )
            if unit and units and rate is not None and typical is not None:
                roi = Roi(unit, units, rate, typical, results)
    _unique(r, m.get("plans"), "plans", "id")
    _unique(r, m.get("vouchers"), "vouchers", "code")
    known = {
        "id",
        "name",
        "segment",
        "synonyms",
        "short",
        "description",
        "features",
        "plans",
        "specs",
        "integrations",
        "hosting",
        "docs_url",
        "video_url",
        "vouchers",
        "reviews",
        "roi",
    }
    for key in set(m) - known:
        r.problem(m[key], key, "is not a known field (see docs/content.md)")
    if r.problems or None in (pid, name, segment, short, description, hosting, docs_url, video_url):
        return None, r.problems
    product = Product(pid, name, segment, synonyms, short, description, features, plans, tuple(specs), integrations,
                      hosting, docs_url, video_url, vouchers, reviews, roi)  # fmt: skip
    return product, r.problems


def _unique(r: _Reader, node: yaml.Node | None, where: str, key: str) -> None:
    if not isinstance(node, yaml.SequenceNode):
        return
    seen: set[str] = set()
    for i, item in enumerate(node.value):
        if isinstance(item, yaml.MappingNode):
            for k, v in item.value:
                if k.value == key:
                    if v.value in seen:
                        r.problem(v, f"{where}[{i + 1}].{key}", f"{v.value!r} is used twice")
                    seen.add(v.value)


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
