"""Claims in the editors' texts, checked against the catalogue's structured fields they describe.

A bot that says "etwa 150 € im Jahr" in one answer and works out 168 € in the next loses the skeptic. `make content`
reads every German and English text of the product files, the knowledge entries, the chat texts and the answers,
finds the sentences that state a price, a saving, a savings rate, an energy cost, a payback time or a worked-out
sum, and compares each with what the catalogue's fields (and the ROI calculator fed with them) give:

- a monthly price or a one-off amount next to a plan's name must be that plan's (`price_eur`, `one_off_eur`);
- "390 € pro Messpunkt" needs a plan that charges that per unit: per month (`per_unit`) or once (`one_off_per_unit`);
- a yearly saving ("rund 170 € im Jahr") must be within 5 % of `savings_rate` × `typical_energy_cost_eur`;
- a savings rate ("10–20 %", "rund 12 %") must contain, or be, `savings_rate`;
- a typical energy cost ("1.400 € Stromkosten") must be `typical_energy_cost_eur`;
- a payback time ("nach 4–9 Monaten", "im ersten Monat") must overlap what the calculator gives with the typical
  values for 1 to 20 units;
- a product of numbers ("3 × 12 × 49 € = 1.764 €") must be right.

A sentence is about the product of its file or knowledge entry, or else about the product it names; plans are the
nearest plan named before the amount. Each contradiction is listed with file, line and field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from bot.catalogue.schema import ContentProblem, Plan, Product, plan_words
from bot.conversation.pricing import plan_prices
from bot.roi import RoiInput, RoiInputError, calculate_roi

#: fields whose texts are visitors' words or names, not our claims
NOT_CLAIMS = frozenset({"questions", "concepts", "keywords", "synonyms", "title", "reviews", "name", "label"})
#: units the payback is worked out for (the calculator's cheapest plan for each)
PAYBACK_UNITS = range(1, 21)
SAVING_TOLERANCE = Decimal("0.05")

_AMOUNT = r"\d{1,3}(?:[.,]\d{3})+(?![\d,.]\d)|\d+(?:[.,]\d{1,2})?"
_MONEY = {"de": re.compile(rf"(?P<amount>{_AMOUNT})\s*€"), "en": re.compile(rf"€\s?(?P<amount>{_AMOUNT})")}
_MONTHLY = {"de": re.compile(r"\s*(?:im|pro|je|/)\s*Monat\b|\s*monatlich\b"),
            "en": re.compile(r"\s*(?:a|per|/)\s*month\b|\s*monthly\b")}  # fmt: skip
_PER = {"de": re.compile(r"\s*(?:pro|je)\s+(?P<unit>[\wäöüß]+(?:\s+\w+)?)(?P<month>\s+und\s+Monat)?"),
        "en": re.compile(r"\s*per\s+(?P<unit>[a-z]+(?:\s+[a-z]+)?)(?P<month>\s+(?:and|per|a)\s+month)?")}  # fmt: skip
_ONCE = {"de": re.compile(r"einmalig", re.I), "en": re.compile(r"one-off|one-time|once", re.I)}
_SAVE = {"de": re.compile(r"spar", re.I), "en": re.compile(r"\bsav(?:e|es|ing|ings)\b", re.I)}
_YEAR = {"de": re.compile(r"\bim Jahr\b|pro Jahr|jährlich", re.I),
         "en": re.compile(r"\ba year\b|per year|annual", re.I)}  # fmt: skip
_ABOUT = {"de": re.compile(r"(?:rund|etwa|ca\.|circa|im Schnitt|durchschnittlich)\s*$", re.I),
          "en": re.compile(r"(?:around|about|roughly|some|on average)\s*$", re.I)}  # fmt: skip
_ENERGY_COST = {"de": re.compile(r"\s*(?:Strom|Energie)kosten"),
                "en": re.compile(r"(?:\s+a\s+year)?\s+in\s+(?:electricity|energy)\s+costs?", re.I)}  # fmt: skip
_ENERGY = {"de": re.compile(r"Energie|Strom|kosten|verbrauch", re.I),
           "en": re.compile(r"energy|electricity|cost|consumption", re.I)}  # fmt: skip
_PERCENT = re.compile(r"(?<![±\d,.])(?P<low>\d+(?:[.,]\d+)?)\s*(?:[–-]\s*(?P<high>\d+(?:[.,]\d+)?)\s*)?%")
_PAYBACK = {"de": re.compile(r"bezahlt|rechnet sich|amortisiert", re.I),
            "en": re.compile(r"pays? for itself|paid for itself|paid back|payback|pays? off", re.I)}  # fmt: skip
_MONTHS = {
    "de": [(re.compile(r"(?P<low>\d+)\s*[–-]\s*(?P<high>\d+)\s*Monat\w*"), None),
           (re.compile(r"(?:im|nach dem)\s+ersten\s+Monat|(?:unter|weniger als) einem Monat"), (0, 1)),
           (re.compile(r"halben Jahr"), (6, 6)), (re.compile(r"(?P<low>\d+)\s*Monat\w*"), None)],
    "en": [(re.compile(r"(?P<low>\d+)\s*[–-]\s*(?P<high>\d+)\s*months?"), None),
           (re.compile(r"(?:within|in)\s+(?:the\s+)?first\s+month|(?:under|less than)\s+(?:a|one)\s+month"), (0, 1)),
           (re.compile(r"six months|half a year"), (6, 6)), (re.compile(r"(?P<low>\d+)\s*months?"), None)],
}  # fmt: skip
_PRODUCT_OF_NUMBERS = {
    "de": re.compile(rf"(?P<factors>(?:\d+\s*×\s*)+(?:{_AMOUNT}))\s*€?\s*=\s*(?P<result>{_AMOUNT})\s*€"),
    "en": re.compile(rf"(?P<factors>(?:\d+\s*×\s*)+€?\s?(?:{_AMOUNT}))\s*=\s*€\s?(?P<result>{_AMOUNT})"),
}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])|\n+")


@dataclass(frozen=True)
class Passage:
    """One text of an editor file: where it is, its language, and the product it is about (None: any it names)."""

    file: str
    line: int
    field: str
    language: str
    text: str
    product: str | None = None


def amount(text: str, language: str) -> Decimal | None:
    """1.400 / 3,99 (German) and 1,400 / 3.99 (English) as numbers."""
    raw = text.replace(".", "").replace(",", ".") if language == "de" else text.replace(",", "")
    if language == "de" and re.fullmatch(r"\d+\.\d{3}", text):  # "1.400" was a thousands separator
        raw = text.replace(".", "")
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def passages(path: Path, display: str, product_of: Any = None) -> list[Passage]:
    """Every de/en text of a YAML file, with its line and field; `product_of(document, loc)` names the product of a
    text (a product file's id, a knowledge entry's product)."""
    text = path.read_text(encoding="utf-8")
    root = yaml.compose(text)
    document = yaml.safe_load(text)
    found: list[Passage] = []

    def walk(node: yaml.Node, loc: tuple[Any, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value not in NOT_CLAIMS:
                    walk(value, (*loc, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*loc, index))
        elif isinstance(node, yaml.ScalarNode) and loc and loc[-1] in ("de", "en") and isinstance(node.value, str):
            field = "".join(f"[{part + 1}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
            product = product_of(document, loc) if product_of else None
            found.append(Passage(display, node.start_mark.line + 1, field, str(loc[-1]), node.value, product))

    if root is not None:
        walk(root, ())
    return found


def _sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


def _named_product(sentence: str, products: Sequence[Product]) -> Product | None:
    named = [p for p in products if re.search(rf"\b{re.escape(p.name.split()[-1])}\b", sentence)]
    return named[0] if len(named) == 1 else None


def _plan_before(sentence: str, position: int, product: Product) -> Plan | None:
    """The plan named last before `position` in the sentence, if any."""
    best: tuple[int, Plan] | None = None
    for plan in product.plans:
        for word in plan_words(product, plan):
            for match in re.finditer(rf"\b{re.escape(word)}\b", sentence[:position], re.I):
                if best is None or match.start() > best[0]:
                    best = (match.start(), plan)
    return best[1] if best else None


def _units(product: Product, language: str) -> set[str]:
    if product.roi is None:
        return set()
    return {text.get(language).lower() for text in (product.roi.unit, product.roi.units)}


def _payback_range(product: Product) -> tuple[Decimal, Decimal] | None:
    """The calculator's payback in months with the product's typical values, over 1 to 20 units."""
    if product.roi is None:
        return None
    months: list[Decimal] = []
    for units in PAYBACK_UNITS:
        data = RoiInput(units, product.roi.typical_energy_cost_eur * units, product.roi.savings_rate)
        try:
            result = calculate_roi(data, plan_prices(product, units))
        except RoiInputError:
            continue
        if result.payback_months is not None:
            months.append(result.payback_months)
    return (min(months), max(months)) if months else None


def _euro(value: Decimal, language: str) -> str:
    shown = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{shown.replace(',', 'X').replace('.', ',').replace('X', '.')} €" if language == "de" else f"€{shown}"


def check_passage(passage: Passage, products: Sequence[Product]) -> Iterator[str]:
    """What contradicts the catalogue in one text, each said as a sentence for the editor."""
    language = passage.language
    by_id = {p.id: p for p in products}
    own = by_id.get(passage.product or "")
    in_plan = re.match(r"plans\[(\d+)\]", passage.field)
    own_plan = own.plans[int(in_plan[1]) - 1] if own and in_plan and int(in_plan[1]) <= len(own.plans) else None
    for sentence in _sentences(passage.text):
        product = _named_product(sentence, products) or own
        yield from _check_sums(sentence, language)
        yield from _check_vouchers(sentence, language, products)
        if product is None:
            continue
        yield from _check_prices(sentence, language, product, own_plan if product is own else None)
        yield from _check_savings(sentence, language, product)


def _check_sums(sentence: str, language: str) -> Iterator[str]:
    for match in _PRODUCT_OF_NUMBERS[language].finditer(sentence):
        factors = [amount(f.strip().lstrip("€").strip(), language) for f in match["factors"].split("×")]
        result = amount(match["result"], language)
        if result is None or any(f is None for f in factors):
            continue
        worked = Decimal(1)
        for factor in factors:
            worked *= factor  # type: ignore[operator]
        if worked != result:
            yield f"says {match.group(0).strip()!r}, but that makes {_euro(worked, language)}"


def _check_vouchers(sentence: str, language: str, products: Sequence[Product]) -> Iterator[str]:
    """ "Mit dem Code WILLKOMMEN10 sparen Sie 10 %": the code's discount."""
    for product in products:
        for voucher in product.vouchers:
            if not re.search(rf"\b{re.escape(voucher.code)}\b", sentence):
                continue
            for match in _PERCENT.finditer(sentence):
                said = Decimal(match["low"].replace(",", "."))
                if voucher.discount_percent != said:
                    percent = voucher.discount_percent
                    given = f"{percent:g} %" if percent is not None else "no percentage"
                    yield f"says {voucher.code} gives {match.group(0).strip()}, but the voucher gives {given}"
            for match in _MONEY[language].finditer(sentence):
                value = amount(match["amount"], language)
                if voucher.discount_eur is not None and value != voucher.discount_eur:
                    yield (f"says {voucher.code} gives {match.group(0)}, but the voucher takes off "
                           f"{_euro(voucher.discount_eur, language)}")  # fmt: skip


def _check_prices(sentence: str, language: str, product: Product, own_plan: Plan | None = None) -> Iterator[str]:
    units = _units(product, language)
    for match in _MONEY[language].finditer(sentence):
        value = amount(match["amount"], language)
        if value is None:
            continue
        after = sentence[match.end() :]
        plan = own_plan or _plan_before(sentence, match.start(), product)
        candidates = [plan] if plan else list(product.plans)
        shown = f"{product.name}" + (f" {plan.name.get(language)}" if plan else "")
        per = _PER[language].match(after)
        if per and (per["unit"].lower() in units or per["unit"].split()[0].lower() in units):
            monthly = bool(per["month"])
            fits = [p for p in candidates if (p.per_unit and p.price_eur == value)
                    or (not monthly and p.one_off_per_unit and p.one_off_eur == value)]  # fmt: skip
            if not fits:
                yield _per_unit_problem(match.group(0), per["unit"], value, monthly, candidates, shown)
            continue
        if _MONTHLY[language].match(after):
            if not any(p.price_eur == value for p in candidates):
                prices = ", ".join(_euro(p.price_eur, language) for p in candidates)
                yield f"says {match.group(0)} a month for {shown}, but the catalogue's monthly price is {prices}"
            continue
        clause = re.split(r"[,;()–]|\bund\b|\band\b", sentence[: match.start()])[-1]
        clause_after = re.split(r"[,;()–]", after)[0]
        if _ONCE[language].search(clause) or _ONCE[language].search(clause_after):
            if not any(p.one_off_eur == value for p in candidates):
                once = ", ".join(_euro(p.one_off_eur, language) for p in candidates)
                yield f"says {match.group(0)} once for {shown}, but the catalogue's one-off amount is {once}"


def _per_unit_problem(said: str, unit: str, value: Decimal, monthly: bool, plans: Sequence[Plan], shown: str) -> str:
    same = [p for p in plans if p.one_off_eur == value or p.price_eur == value]
    if same and not monthly and any(p.one_off_eur == value and not p.one_off_per_unit for p in same):
        plan = next(p for p in same if p.one_off_eur == value)
        return (f"says {said} per {unit} for {shown}, but plan {plan.id} has that as a one-off amount that is not "
                f"per unit (one_off_per_unit: false)")  # fmt: skip
    return f"says {said} per {unit} for {shown}, but no plan charges that per unit"


def _check_savings(sentence: str, language: str, product: Product) -> Iterator[str]:
    roi = product.roi
    if roi is None:
        return
    saves = _SAVE[language].search(sentence)
    typical_saving = (roi.savings_rate * roi.typical_energy_cost_eur).quantize(Decimal(1))
    for match in _MONEY[language].finditer(sentence):
        value = amount(match["amount"], language)
        if value is None:
            continue
        after = sentence[match.end() :]
        if _ENERGY_COST[language].match(after):
            if value != roi.typical_energy_cost_eur:
                yield (f"says a typical energy cost of {match.group(0)} for {product.name}, but "
                       f"typical_energy_cost_eur is {_euro(roi.typical_energy_cost_eur, language)}")  # fmt: skip
            continue
        about = _ABOUT[language].search(sentence[: match.start()])
        if saves and _YEAR[language].search(sentence) and about:
            if abs(value - typical_saving) > typical_saving * SAVING_TOLERANCE:
                yield (f"says {product.name} saves about {match.group(0)} a year, but savings_rate × "
                       f"typical_energy_cost_eur = {roi.savings_rate} × {_euro(roi.typical_energy_cost_eur, language)}"
                       f" = {_euro(typical_saving, language)}")  # fmt: skip
    if saves and _ENERGY[language].search(sentence):
        for match in _PERCENT.finditer(sentence):
            low = Decimal(match["low"].replace(",", ".")) / 100
            high = Decimal(match["high"].replace(",", ".")) / 100 if match["high"] else low
            if not low - Decimal("0.005") <= roi.savings_rate <= high + Decimal("0.005"):
                yield (f"says {match.group(0).strip()} savings for {product.name}, but its savings_rate is "
                       f"{(roi.savings_rate * 100).normalize():f} %")  # fmt: skip
    if _PAYBACK[language].search(sentence):
        yield from _check_payback(sentence, language, product)


def _check_payback(sentence: str, language: str, product: Product) -> Iterator[str]:
    computed = _payback_range(product)
    if computed is None:
        return
    for pattern, fixed in _MONTHS[language]:
        match = pattern.search(sentence)
        if not match:
            continue
        if fixed is not None:
            low, high = Decimal(fixed[0]), Decimal(fixed[1])
        else:
            low = Decimal(match["low"])
            high = Decimal(match["high"]) if "high" in match.groupdict() and match["high"] else low
        if fixed == (6, 6) or (fixed is None and low == high):  # "about six months": half to one and a half times
            low, high = low / 2, high * Decimal("1.5")
        if computed[1] < low or computed[0] > high:
            yield (f"says it pays for itself in {match.group(0).strip()!r}, but the ROI calculator with "
                   f"{product.name}'s typical values gives {computed[0]}–{computed[1]} months for 1 to "
                   f"{PAYBACK_UNITS[-1]} {product.roi.units.get('en') if product.roi else 'units'}")  # fmt: skip
        return


def contradictions(texts: Iterable[Passage], products: Sequence[Product]) -> list[ContentProblem]:
    """Every claim in `texts` that the catalogue's fields contradict, as problems with file, line and field."""
    return [ContentProblem(p.file, p.line, p.field, problem) for p in texts for problem in check_passage(p, products)]


def _product_file_product(document: Any, loc: tuple[Any, ...]) -> str | None:
    return document.get("id") if isinstance(document, dict) else None


def knowledge_entry_product(document: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) > 1 and loc[0] == "entries" and isinstance(loc[1], int):
        product = document["entries"][loc[1]].get("product")
        return None if product == "general" else product
    return None


def editor_texts(content_dir: Path, extra: Iterable[Path] = (), shown: Any = str) -> list[Passage]:
    """Every text of the product files, the knowledge entries and the chat texts in `content_dir`, and of the
    `extra` files (the answers); `shown(path)` is how a problem names the file."""
    found: list[Passage] = []
    for path in sorted((content_dir / "products").glob("*.yml")):
        found += passages(path, shown(path), _product_file_product)
    if (content_dir / "knowledge.yml").exists():
        found += passages(content_dir / "knowledge.yml", shown(content_dir / "knowledge.yml"), knowledge_entry_product)
    for path in [content_dir / "messages.yml", *extra]:
        if path.exists():
            found += passages(path, shown(path))
    return found
