"""Pydantic schemas for editor-owned content files; every problem names file, line and field.

Today:
- the knowledge entries (`data/content/knowledge.yml`), short questions and answers per product that the bot finds
  by retrieval (bot/conversation/knowledge.py);
- the journey signal's examples (`data/journey/examples/`);
- the sales team and its routing rules (`data/sales/team.yml`);
- the chat texts that show catalogue data (`data/content/messages.yml`);
- the offers (`data/journey/offers.yml`);
- the demo website and the widget's labels (`data/website/site.yml`);
- the journey evidence (`data/journey/evidence.yml`).
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, Extra, ValidationError, conint, conlist, constr, root_validator, validator

from bot.catalogue.schema import LANGS, ContentError, ContentProblem
from bot.journey.vocabulary import PERSONAS, PHASES, SEGMENTS

GENERAL = "general"
MAX_ANSWER_WORDS = 80
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

M = TypeVar("M", bound=BaseModel)
NonEmpty = constr(strip_whitespace=True, min_length=1)


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class LocalText(_Strict):
    """One text in German and English."""

    de: NonEmpty  # type: ignore[valid-type]
    en: NonEmpty  # type: ignore[valid-type]

    def get(self, language: str | None) -> str:
        return self.en if language == "en" else self.de


class Answer(LocalText):
    """An answer: the fact first, at most MAX_ANSWER_WORDS words per language."""

    @validator("de", "en")
    def _short(cls, value: str) -> str:
        words = len(value.split())
        if words > MAX_ANSWER_WORDS:
            raise ValueError(f"has {words} words; keep answers to at most {MAX_ANSWER_WORDS} (the fact first)")
        return value


class Questions(_Strict):
    """Example questions per language, for retrieval."""

    de: conlist(NonEmpty, min_items=1)  # type: ignore[valid-type]
    en: conlist(NonEmpty, min_items=1)  # type: ignore[valid-type]

    def get(self, language: str) -> list[str]:
        return list(self.en if language == "en" else self.de)


class KnowledgeEntry(_Strict):
    id: NonEmpty  # type: ignore[valid-type]
    product: NonEmpty  # type: ignore[valid-type]
    title: LocalText
    questions: Questions
    answer: Answer
    #: the intent (or intents) whose standard answer already covers this topic (the bot keeps that answer)
    intent: str | list[str] | None = None
    #: terms that name this topic and hardly anything else ("AVV", "LoRaWAN"), in any language: a message that uses
    #: one is answered from this entry even when the classifier reads something vaguer into it
    keywords: list[NonEmpty] = []  # type: ignore[valid-type]

    @property
    def intents(self) -> tuple[str, ...]:
        """The intents whose standard answer covers this topic."""
        return (self.intent,) if isinstance(self.intent, str) else tuple(self.intent or ())

    @validator("id")
    def _id_format(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("use lower-case letters, digits and hyphens only")
        return value


class KnowledgeTexts(_Strict):
    no_match: LocalText
    no_match_again: LocalText


class KnowledgeFile(_Strict):
    version: int
    texts: KnowledgeTexts
    #: groups of words that mean the same thing to the search, in any language ("kündigen", "get out of", "cancel"):
    #: a question that uses one matches entries that use another; per group a name and its words (word beginnings)
    concepts: dict[NonEmpty, conlist(NonEmpty, min_items=1)] = {}  # type: ignore[valid-type]
    entries: conlist(KnowledgeEntry, min_items=1)  # type: ignore[valid-type]

    @validator("concepts")
    def _concept_names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name in value:
            if not _ID.match(name):
                raise ValueError(f"concept {name!r}: use lower-case letters, digits and hyphens only")
        return value

    @validator("version")
    def _version(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"must be 1, got {value}")
        return value


class JourneyExample(_Strict):
    """One visitor message and what it alone says about the visitor; null: it says nothing about that slot."""

    text: NonEmpty  # type: ignore[valid-type]
    phase: Literal[PHASES] | None  # type: ignore[valid-type]
    persona: Literal[PERSONAS] | None  # type: ignore[valid-type]
    segment: Literal[SEGMENTS] | None  # type: ignore[valid-type]


class JourneyExamplesFile(_Strict):
    """`data/journey/examples/<language>.yml`: labelled messages the learned journey signal is trained on."""

    version: int
    language: Literal["de", "en"]
    examples: conlist(JourneyExample, min_items=1)  # type: ignore[valid-type]

    @validator("version")
    def _version(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"must be 1, got {value}")
        return value


def parse_journey_examples_text(text: str, display: str) -> JourneyExamplesFile:
    """A journey examples file from YAML text; raises ContentError listing every problem with line and field."""
    examples, root = _parse_model(text, display, JourneyExamplesFile, "version, language and examples")
    problems: list[ContentProblem] = []
    seen: dict[str, int] = {}
    for index, example in enumerate(examples.examples):
        key = " ".join(example.text.lower().split())
        line, field = _locate(root, ("examples", index, "text"))
        if key in seen:
            problems.append(ContentProblem(display, line, field, f"the same message is already on line {seen[key]}"))
        seen.setdefault(key, line)
    if problems:
        raise ContentError(problems)
    return examples


# ---------------------------------------------------------------------------------- team

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


def opening_span(text: str) -> tuple[dt.time, dt.time]:
    """ "09:00-17:00" as (opening, closing); ValueError saying what is wrong."""
    match = _SPAN.match(str(text))
    if not match:
        raise ValueError(f'write hours like "09:00-17:00", got {text!r}')
    try:
        start, end = (dt.time.fromisoformat(part.zfill(5)) for part in match.groups())
    except ValueError as exc:
        raise ValueError(f'write hours like "09:00-17:00", got {text!r}') from exc
    if end <= start:
        raise ValueError(f"closing time must be after opening time, got {text!r}")
    return start, end


class SalespersonEntry(_Strict):
    id: NonEmpty  # type: ignore[valid-type]
    name: NonEmpty  # type: ignore[valid-type]
    email: constr(strip_whitespace=True, regex=r"^[^@\s]+@[^@\s]+$")  # type: ignore[valid-type]
    languages: conlist(Literal["de", "en"], min_items=1)  # type: ignore[valid-type]
    segments: conlist(Literal[SEGMENTS], min_items=1) = ["b2b"]  # type: ignore[valid-type]
    time_zone: NonEmpty  # type: ignore[valid-type]
    hours: dict[Literal[DAYS], str]  # type: ignore[valid-type]

    @validator("time_zone")
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use a name like Europe/Berlin)") from exc
        return value

    @validator("hours")
    def _hours(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError('needs opening hours like {mon: "09:00-17:00"}')
        for day, span in value.items():
            try:
                opening_span(span)
            except ValueError as exc:
                raise ValueError(f"{day}: {exc}") from exc
        return value


class RoutingRule(_Strict):
    #: conditions that must all match: the visitor's language, the product they asked about, their persona
    when: dict[Literal["language", "product", "persona"], NonEmpty] = {}  # type: ignore[valid-type]
    to: conlist(NonEmpty, min_items=1)  # type: ignore[valid-type]


class TeamFile(_Strict):
    """`data/sales/team.yml`: who can get a handoff, their hours, and the routing rules."""

    version: Literal[1] = 1
    promise_hours: conint(ge=1, le=72) = 2  # type: ignore[valid-type]
    salespeople: conlist(SalespersonEntry, min_items=1)  # type: ignore[valid-type]
    rules: list[RoutingRule] = []


def parse_team_document(document: Any, display: str, root: yaml.Node | None = None) -> TeamFile:
    """The team file from its parsed YAML (and, for line numbers, its YAML tree); raises ContentError listing every
    problem with line and field."""
    team = _validated(document, root, display, TeamFile, "salespeople and rules")
    problems: list[ContentProblem] = []
    first: dict[str, int] = {}
    for index, person in enumerate(team.salespeople):
        line, field = _locate_in(root, ("salespeople", index, "id"))
        if person.id in first:
            message = f"{person.id!r} is already used on line {first[person.id]}"
            problems.append(ContentProblem(display, line, field, message))
        first.setdefault(person.id, line)
    for index, rule in enumerate(team.rules):
        unknown = [name for name in rule.to if name not in first]
        if unknown:
            line, field = _locate_in(root, ("rules", index, "to"))
            message = f"unknown salespeople {', '.join(unknown)}; use {', '.join(first)}"
            problems.append(ContentProblem(display, line, field, message))
    if problems:
        raise ContentError(problems)
    return team


def read_team(path: Path, display: str | None = None) -> TeamFile:
    text = path.read_text(encoding="utf-8")
    document, root = _compose(text, display or str(path), "salespeople and rules")
    return parse_team_document(document, display or str(path), root)


# ---------------------------------------------------------------------------------- messages


class MessageText(_Strict):
    """One chat text in German and English, with the same {placeholders} in both. Kept exactly as written: a
    text that joins two others (" und ") needs its spaces."""

    de: str
    en: str

    @validator("de", "en")
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty")
        return value


class MessagesFile(_Strict):
    """`data/content/messages.yml`: the chat texts that show catalogue data."""

    version: Literal[1] = 1
    messages: dict[NonEmpty, MessageText]  # type: ignore[valid-type]


def placeholders_of(text: str) -> set[str]:
    """The {names} a text fills in; ValueError for a broken one ("{product_name" or "{}")."""
    names = set()
    for _, name, _, _ in string.Formatter().parse(text):
        if name is None:
            continue
        if not name.isidentifier():
            raise ValueError(f"{{{name}}} is no placeholder name; write {{product_name}}, or double a brace ({{{{)")
        names.add(name)
    return names


def parse_messages_document(document: Any, display: str, root: yaml.Node | None = None,
                            filled: Mapping[str, Iterable[str]] | None = None) -> MessagesFile:  # fmt: skip
    """The messages file from its parsed YAML; raises ContentError listing every problem with line and field.
    `filled`: per message, the values the code fills in (bot/messages.py FILLED); every message it names must be
    there, no other, and use no other placeholder."""
    checked = _validated(document, root, display, MessagesFile, "version and messages")
    problems: list[ContentProblem] = []
    if filled is not None:
        for name in filled:
            if name not in checked.messages:
                line, field = _locate_in(root, ("messages",))
                problems.append(ContentProblem(display, line, f"messages.{name}", "is missing (the bot shows it)"))
    for name, texts in checked.messages.items():
        if filled is not None and name not in filled:
            line, field = _locate_in(root, ("messages", name))
            problems.append(ContentProblem(display, line, field, "is not a message the bot shows (check the name)"))
        found: dict[str, set[str]] = {}
        for language in LANGS:
            try:
                found[language] = placeholders_of(getattr(texts, language))
            except ValueError as exc:
                line, field = _locate_in(root, ("messages", name, language))
                problems.append(ContentProblem(display, line, field, f"broken placeholder: {exc}"))
        allowed = set(filled[name]) if filled is not None and name in filled else None
        for language, names in found.items():
            unknown = names - allowed if allowed is not None else set()
            if unknown:
                line, field = _locate_in(root, ("messages", name, language))
                offered = ", ".join(f"{{{n}}}" for n in sorted(allowed or ())) or "none"
                shown = ", ".join(f"{{{n}}}" for n in sorted(unknown))
                message = f"the bot does not fill {shown} in this message; it fills: {offered}"
                problems.append(ContentProblem(display, line, field, message))
        if len(found) == 2 and found["de"] != found["en"]:
            line, field = _locate_in(root, ("messages", name))
            shown = {language: ", ".join(sorted(names)) or "none" for language, names in found.items()}
            message = f"German and English must use the same placeholders (de: {shown['de']}; en: {shown['en']})"
            problems.append(ContentProblem(display, line, field, message))
    if problems:
        raise ContentError(problems)
    return checked


def read_messages(path: Path, display: str | None = None,
                  filled: Mapping[str, Iterable[str]] | None = None) -> MessagesFile:  # fmt: skip
    text = path.read_text(encoding="utf-8")
    document, root = _compose(text, display or str(path), "version and messages")
    return parse_messages_document(document, display or str(path), root, filled)


# ---------------------------------------------------------------------------------- offers


class OfferEntry(_Strict):
    #: what the visitor gets on "yes": a response (utter_…) or a custom action such as a form
    deliver: NonEmpty  # type: ignore[valid-type]
    #: the intents this offer answers: it is not made to a visitor who already asked exactly that
    answers: list[NonEmpty] = []  # type: ignore[valid-type]


class OffersFile(_Strict):
    """`data/journey/offers.yml`: the next step the bot offers, by persona, then by phase and segment."""

    version: Literal[1] = 1
    offers: dict[NonEmpty, OfferEntry]  # type: ignore[valid-type]
    by_persona: dict[Literal[PERSONAS], list[NonEmpty]] = {}  # type: ignore[valid-type]
    by_phase: dict[Literal[PHASES], dict[Literal["b2b", "b2c", "any"], list[NonEmpty]]] = {}  # type: ignore[valid-type]


def parse_offers_document(document: Any, display: str, root: yaml.Node | None = None) -> OffersFile:
    """The offers file from its parsed YAML; raises ContentError listing every problem with line and field."""
    checked = _validated(document, root, display, OffersFile, "version, offers, by_persona and by_phase")
    problems: list[ContentProblem] = []
    lists = [(("by_persona", persona), names) for persona, names in checked.by_persona.items()]
    lists += [(("by_phase", phase, segment), names) for phase, segments in checked.by_phase.items()
              for segment, names in segments.items()]  # fmt: skip
    for loc, names in lists:
        for index, name in enumerate(names):
            if name not in checked.offers:
                line, field = _locate_in(root, (*loc, index))
                message = f"unknown offer {name!r}; defined: {', '.join(checked.offers)}"
                problems.append(ContentProblem(display, line, field, message))
    if problems:
        raise ContentError(problems)
    return checked


def read_offers(path: Path, display: str | None = None) -> OffersFile:
    text = path.read_text(encoding="utf-8")
    document, root = _compose(text, display or str(path), "version, offers, by_persona and by_phase")
    return parse_offers_document(document, display or str(path), root)


# ---------------------------------------------------------------------------------- website

#: Paths of the web app's own routes (bot/web/): a page there would never be shown.
RESERVED_PATHS = ("/api", "/static", "/summary", "/inbox", "/login", "/logout", "/handoffs", "/health", "/favicon.ico")
#: pages the site cannot do without, and why
REQUIRED_PAGES = {"home": "the navigation links to it", "privacy": "the chat links to it"}


def normalize_path(path: str) -> str:
    """`/preise/` and `/preise` are one page; `/en` is the English home `/en/`."""
    path = "/" + path.strip().split("?", 1)[0].split("#", 1)[0].strip("/")
    return "/en/" if path == "/en" else path


class SectionEntry(_Strict):
    heading: NonEmpty  # type: ignore[valid-type]
    text: NonEmpty  # type: ignore[valid-type]


class PageEntry(_Strict):
    path: NonEmpty  # type: ignore[valid-type]
    nav: NonEmpty  # type: ignore[valid-type]
    title: NonEmpty  # type: ignore[valid-type]
    intro: NonEmpty  # type: ignore[valid-type]
    greeting: NonEmpty  # type: ignore[valid-type]
    sections: list[SectionEntry] = []

    @validator("path")
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"must start with /, got {value!r}")
        taken = next((r for r in RESERVED_PATHS if normalize_path(value) == r or value.startswith(r + "/")), None)
        if taken:
            raise ValueError(f"{value} belongs to the web app ({taken}); choose another path")
        return value


class WidgetEntry(_Strict):
    """The chat widget's labels in one language; the last nine are read by screen readers (docs/website.md)."""

    title: NonEmpty  # type: ignore[valid-type]
    subtitle: NonEmpty  # type: ignore[valid-type]
    placeholder: NonEmpty  # type: ignore[valid-type]
    connecting: NonEmpty  # type: ignore[valid-type]
    restart: NonEmpty  # type: ignore[valid-type]
    language_switch: NonEmpty  # type: ignore[valid-type]
    open_chat: NonEmpty  # type: ignore[valid-type]
    close_chat: NonEmpty  # type: ignore[valid-type]
    close_message: NonEmpty  # type: ignore[valid-type]
    tooltip: NonEmpty  # type: ignore[valid-type]
    tooltip_open: NonEmpty  # type: ignore[valid-type]
    send: NonEmpty  # type: ignore[valid-type]
    message_input: NonEmpty  # type: ignore[valid-type]
    messages: NonEmpty  # type: ignore[valid-type]
    navigation: NonEmpty  # type: ignore[valid-type]


class PageLanguages(_Strict):
    de: PageEntry
    en: PageEntry


class WidgetLanguages(_Strict):
    de: WidgetEntry
    en: WidgetEntry


class SiteFile(_Strict):
    """`data/website/site.yml`: the demo website's pages in German and English, and the widget's labels."""

    version: Literal[1] = 1
    company: NonEmpty = "Wattwerk"  # type: ignore[valid-type]
    pages: dict[NonEmpty, PageLanguages]  # type: ignore[valid-type]
    widget: WidgetLanguages


def parse_site_document(document: Any, display: str, root: yaml.Node | None = None) -> SiteFile:
    """The site file from its parsed YAML; raises ContentError listing every problem with line and field."""
    checked = _validated(document, root, display, SiteFile, "version, pages and widget")
    problems: list[ContentProblem] = []
    first: dict[str, int] = {}
    for key, languages in checked.pages.items():
        for language in LANGS:
            path = normalize_path(getattr(languages, language).path)
            line, field = _locate_in(root, ("pages", key, language, "path"))
            if path in first:
                problems.append(ContentProblem(display, line, field, f"{path} is already used on line {first[path]}"))
            first.setdefault(path, line)
    for key, why in REQUIRED_PAGES.items():
        if key not in checked.pages:
            line, _ = _locate_in(root, ("pages",))
            problems.append(ContentProblem(display, line, f"pages.{key}", f"this page is required ({why})"))
    if problems:
        raise ContentError(problems)
    return checked


def read_site(path: Path, display: str | None = None) -> SiteFile:
    text = path.read_text(encoding="utf-8")
    document, root = _compose(text, display or str(path), "version, pages and widget")
    return parse_site_document(document, display or str(path), root)


# ---------------------------------------------------------------------------------- journey evidence


def _number(value: Any) -> float:
    """A number as editors write it (1, 0.6), not a text or true/false."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(f"must be a number, got {value!r}")
    return float(value)


def _label_weights(value: Any, allowed: Sequence[str]) -> dict[str, float]:
    """`skeptic` or `{skeptic: 1.0}`: the labels a signal counts for, each with a positive weight."""
    if value is None:
        return {}
    if isinstance(value, str):
        value = {value: 1.0}
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping like {{{allowed[0]}: 1.0}}, got {value!r}")
    weights = {}
    for label, weight in value.items():
        if label not in allowed:
            raise ValueError(f"unknown value {label!r}; allowed: {', '.join(allowed)}")
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            raise ValueError(f"{label}: weight must be a positive number, got {weight!r}")
        weights[str(label)] = float(weight)
    return weights


class EvidenceEntry(_Strict):
    """What one intent, word list or page says about the visitor."""

    phase: Literal[PHASES] | None = None  # type: ignore[valid-type]
    initial_phase: Literal[PHASES] | None = None  # type: ignore[valid-type]
    persona: dict[str, float] = {}
    segment: dict[str, float] = {}

    @validator("persona", pre=True)
    def _personas(cls, value: Any) -> dict[str, float]:
        return _label_weights(value, PERSONAS)

    @validator("segment", pre=True)
    def _segments(cls, value: Any) -> dict[str, float]:
        return _label_weights(value, SEGMENTS)


class KeywordEntry(EvidenceEntry):
    """Words (a trailing * matches any ending) or regular expressions, and what a message using one says."""

    name: NonEmpty | None = None  # type: ignore[valid-type]
    words: list[NonEmpty] = []  # type: ignore[valid-type]
    patterns: list[str] = []
    #: the rule's phase comes before the intent's
    over_intent: bool = False

    @validator("over_intent", pre=True)
    def _strict_bool(cls, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"must be true or false, got {value!r}")
        return value

    @validator("patterns", each_item=True)
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"pattern {value!r} is not valid: {exc}") from exc
        return value

    @root_validator(skip_on_failure=True)
    def _complete(cls, values: dict[str, Any]) -> dict[str, Any]:
        if not values.get("words") and not values.get("patterns"):
            raise ValueError("needs at least one entry under words or patterns")
        if values.get("over_intent") and values.get("phase") is None:
            raise ValueError("over_intent: true needs a phase")
        return values


class PageEvidence(EvidenceEntry):
    #: the page's path; a trailing * matches any ending
    path: constr(strip_whitespace=True, regex=r"^/")  # type: ignore[valid-type]


class Thresholds(_Strict):
    intent_confidence: float = 0.3
    persona: float = 1.0
    segment: float = 1.0
    customer: float = 0.7

    @validator("*", pre=True)
    def _not_negative(cls, value: Any) -> float:
        number = _number(value)
        if number < 0:
            raise ValueError(f"must be a number ≥ 0, got {value!r}")
        return number


class _Probabilities(_Strict):
    @validator("*", pre=True)
    def _probability(cls, value: Any, field: Any) -> float:
        number = _number(value)
        if field.name == "weight":
            if number < 0:
                raise ValueError(f"a number ≥ 0 (0 switches the signal off), got {value!r}")
        elif not 0 <= number <= 1:
            raise ValueError(f"must be a probability between 0 and 1, got {value!r}")
        return number


class PhaseSignal(_Probabilities):
    min_probability: float | None = None
    over_intent: float | None = None
    intent_margin: float | None = None


class LabelSignal(_Probabilities):
    min_probability: float | None = None
    weight: float | None = None


class SignalSection(_Strict):
    """How much the learned per-message signal counts, per slot (docs/journey.md)."""

    phase: PhaseSignal | None = None
    persona: LabelSignal | None = None
    segment: LabelSignal | None = None


class EvidenceFile(_Strict):
    """`data/journey/evidence.yml`: which intent, word or page counts for which phase, persona and segment."""

    version: Literal[1] = 1
    thresholds: Thresholds = Thresholds()
    signal: SignalSection = SignalSection()
    intents: dict[NonEmpty, EvidenceEntry | None]  # type: ignore[valid-type]
    keywords: list[KeywordEntry] = []
    pages: list[PageEvidence] = []


def parse_evidence_document(document: Any, display: str, root: yaml.Node | None = None) -> EvidenceFile:
    """The evidence file from its parsed YAML; raises ContentError listing every problem with line and field."""
    return _validated(document, root, display, EvidenceFile, "intents, keywords and pages")


def read_evidence(path: Path, display: str | None = None) -> EvidenceFile:
    text = path.read_text(encoding="utf-8")
    document, root = _compose(text, display or str(path), "intents, keywords and pages")
    return parse_evidence_document(document, display or str(path), root)


# ---------------------------------------------------------------------------------- lines


def _child(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def _locate(root: yaml.Node, loc: Sequence[Any]) -> tuple[int, str]:
    """The line of the deepest YAML node on `loc`, and the field as editors read it (entries[3].answer.en)."""
    node, line, parts = root, root.start_mark.line + 1, []
    for key in loc:
        if key in ("__root__", "__key__"):  # a mapping's key that is not allowed: the mapping's line names it
            continue
        if isinstance(key, int):
            parts.append(f"[{key + 1}]")
        else:
            parts.append(f".{key}" if parts else str(key))
        node = _child(node, key)
        if node is not None:
            line = node.start_mark.line + 1
    return line, "".join(parts) or "(file)"


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "value_error.const" and "permitted" in context:  # a value outside a fixed list (a Literal)
        allowed = ", ".join(str(value) for value in context["permitted"])
        what = "name" if error.get("loc") and error["loc"][-1] == "__key__" else "value"
        return f"unknown {what} {context.get('given')!r}; use one of: {allowed}"
    if error.get("loc") and error["loc"][-1] == "__key__":
        return f"a name that is not allowed here ({error['msg']})"
    if kind == "value_error.missing":
        field = error["loc"][-1] if error["loc"] else ""
        return "is missing (needs de: and en:)" if field in LANGS else "is missing"
    if kind == "value_error.extra":
        return "is not a known field (check the spelling)"
    if kind.startswith("value_error.any_str.min_length"):
        return "is empty"
    if kind.startswith("value_error.list.min_items"):
        return "needs at least one item"
    if kind == "type_error.list":
        return "must be a list: [a, b], or one '- item' per line"
    if kind == "type_error.dict":
        return "must be a mapping of fields (name: value), not a single value"
    return str(error["msg"])


# ---------------------------------------------------------------------------------- loading


def _compose(text: str, display: str, shape: str) -> tuple[dict[str, Any], yaml.Node]:
    """The parsed YAML mapping and its tree (for lines); a file that is no YAML mapping raised as ContentError."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = f"not valid YAML: {getattr(exc, 'problem', exc)}"
        raise ContentError([ContentProblem(display, line, "(file)", problem)]) from exc
    if root is None:
        raise ContentError([ContentProblem(display, 1, "(file)", "is empty")])
    document = yaml.safe_load(text)
    if not isinstance(document, dict):
        raise ContentError([ContentProblem(display, 1, "(file)", f"must be a mapping with {shape}")])
    return document, root


def _locate_in(root: yaml.Node | None, loc: Sequence[Any]) -> tuple[int, str]:
    """`_locate` for a document that may have no YAML tree (built in code): line 1 then."""
    if root is None:
        root = yaml.compose("{}")
    return _locate(root, loc)


def _validated(document: Any, root: yaml.Node | None, display: str, model: type[M], shape: str) -> M:
    """The pydantic model of a parsed document; every problem raised as one ContentError."""
    if not isinstance(document, dict):
        raise ContentError([ContentProblem(display, 1, "(file)", f"must be a mapping with {shape}")])
    try:
        return model.parse_obj(document)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            line, field = _locate_in(root, error["loc"])
            problems.append(ContentProblem(display, line, field, _message(error)))
        raise ContentError(problems) from exc


def _parse_model(text: str, display: str, model: type[M], shape: str) -> tuple[M, yaml.Node]:
    """A pydantic model from YAML text and the YAML tree (for lines); every problem raised as ContentError."""
    document, root = _compose(text, display, shape)
    return _validated(document, root, display, model, shape), root


def parse_knowledge_text(text: str, display: str, products: Iterable[str]) -> KnowledgeFile:
    """The knowledge file from YAML text; raises ContentError listing every problem with line and field."""
    knowledge, root = _parse_model(text, display, KnowledgeFile, "version, texts and entries")
    problems = _cross_checks(knowledge, root, display, set(products))
    if problems:
        raise ContentError(problems)
    return knowledge


def _cross_checks(knowledge: KnowledgeFile, root: yaml.Node, display: str, products: set[str]) -> list[ContentProblem]:
    problems: list[ContentProblem] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(knowledge.entries):
        if products and entry.product != GENERAL and entry.product not in products:
            line, field = _locate(root, ("entries", index, "product"))
            known = ", ".join(sorted(products | {GENERAL}))
            message = f"unknown product {entry.product!r}; use one of {known}"
            problems.append(ContentProblem(display, line, field, message))
        if entry.id in seen:
            line, field = _locate(root, ("entries", index, "id"))
            message = f"id {entry.id!r} is already used on line {seen[entry.id]}"
            problems.append(ContentProblem(display, line, field, message))
        else:
            seen[entry.id] = _locate(root, ("entries", index, "id"))[0]
    return problems


def product_ids(directory: Path) -> list[str]:
    """The catalogue ids (file names) in data/content/products/."""
    return sorted(p.stem for p in [*directory.glob("*.yml"), *directory.glob("*.yaml")])


def read_knowledge(path: Path, products_dir: Path | None = None, display: str | None = None) -> KnowledgeFile:
    """Reads and checks a knowledge file; the products are those in `products_dir` (default: next to it)."""
    directory = products_dir if products_dir is not None else path.parent / "products"
    return parse_knowledge_text(path.read_text(encoding="utf-8"), display or str(path), product_ids(directory))
