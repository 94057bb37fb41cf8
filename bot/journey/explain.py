"""Why the bot places a visitor where it does, in words for a salesperson (German or English).

The `journey_explanation` slot (see `JourneyState.explanation`) holds, per slot, the value and the
evidence behind it: which message, which intent, keyword, page or learned reading, and its score.
This module turns it into lines such as
"Persona Budgetverantwortlich: Nachricht 3 „Lohnt sich das?“: fragte nach dem ROI; Nachricht 5 „Gibt es
Mengenrabatt?“: fragte nach Rabatten".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SLOT_NAMES = {
    "de": {"phase": "Phase", "persona": "Persona", "segment": "Segment", "language": "Sprache"},
    "en": {"phase": "Phase", "persona": "Persona", "segment": "Segment", "language": "Language"},
}

VALUE_LABELS = {
    "de": {
        "awareness": "Wahrnehmung", "consideration": "Überlegung", "decision": "Entscheidung",
        "retention": "Bindung", "advocacy": "Weiterempfehlung",
        "skeptic": "Skeptiker", "experience_seeker": "Erlebnissucher", "influencer": "Beeinflusser",
        "budget_owner": "Budgetverantwortlich", "technical": "Technik",
        "b2b": "B2B (Unternehmen)", "b2c": "B2C (Privat)", "de": "Deutsch", "en": "Englisch",
    },
    "en": {
        "awareness": "awareness", "consideration": "consideration", "decision": "decision",
        "retention": "retention", "advocacy": "advocacy",
        "skeptic": "skeptic", "experience_seeker": "experience seeker", "influencer": "influencer",
        "budget_owner": "budget owner", "technical": "technical",
        "b2b": "B2B (business)", "b2c": "B2C (household)", "de": "German", "en": "English",
    },
}  # fmt: skip

#: what a message with this intent did, for the intents that carry journey evidence (data/journey/evidence.yml)
INTENT_LABELS: Mapping[str, tuple[str, str]] = {
    "greet": ("grüßte zum Einstieg", "greeted to start"),
    "ask_topic": ("stellte eine Detailfrage", "asked a detailed question"),
    "ask_what_is": ("fragte, was Wattwerk ist", "asked what Wattwerk is"),
    "inform_source": ("erzählte, wie er/sie uns fand", "said how they found us"),
    "ask_features": ("fragte nach Funktionen", "asked about features"),
    "ask_comparison": ("verglich mit anderen Anbietern", "compared us with others"),
    "ask_reviews": ("fragte nach Bewertungen", "asked for reviews"),
    "ask_guarantee": ("fragte nach Garantie oder Testphase", "asked about the guarantee or trial"),
    "express_doubt": ("äußerte Zweifel", "expressed doubt"),
    "ask_video": ("wollte ein Video oder eine Demo", "asked for a video or demo"),
    "ask_boss_material": ("brauchte Material für die Entscheider", "needed material for the decision makers"),
    "ask_integrations": ("fragte nach Schnittstellen", "asked about integrations"),
    "ask_hosting": ("fragte nach Hosting und Datenschutz", "asked about hosting and data protection"),
    "ask_specs": ("fragte nach technischen Daten", "asked for technical specifications"),
    "ask_voucher": ("fragte nach einem Gutschein", "asked for a voucher"),
    "ask_roi": ("fragte nach dem ROI", "asked about ROI"),
    "ask_price": ("fragte nach dem Preis", "asked about the price"),
    "ask_tco": ("fragte nach den Gesamtkosten", "asked about the total cost"),
    "ask_discount": ("fragte nach Rabatten", "asked for a discount"),
    "request_contact": ("wollte Kontakt mit dem Vertrieb", "asked to talk to sales"),
    "request_live": ("wollte sofort im Chat mit jemandem sprechen", "wanted to chat with a person right away"),
    "request_meeting": ("wollte einen Termin buchen", "wanted to book a meeting"),
    "order": ("wollte bestellen", "wanted to order"),
    "ask_support": ("brauchte Hilfe als Kunde", "needed help as a customer"),
    "ask_billing": ("fragte zur Rechnung", "asked about an invoice"),
    "ask_renewal": ("fragte zur Verlängerung", "asked about renewal"),
    "request_upsell": ("wollte mehr Standorte, Nutzer oder einen größeren Tarif",
                       "wanted more sites, users or a bigger plan"),
    "ask_delivery": ("fragte nach der Lieferung", "asked about a delivery"),
    "praise": ("lobte das Produkt", "praised the product"),
    "ask_referral": ("wollte uns weiterempfehlen", "wanted to recommend us"),
}

_TEXTS = {
    "de": {
        "message": "Nachricht", "keyword": "Stichwörter „{name}“", "signal": "gelerntes Signal ({percent} %)",
        "conversation": "das ganze Gespräch abgewogen ({percent} %)",
        "page": "Seite {name}", "situation": "eigene Angaben zur Lage", "words": "Wortwahl",
        "browser": "Sprache des Browsers", "language_switch": "Sprachumschalter der Website",
        "intent": "Absicht {name}", "customer": "schon Kunde seit", "decided": "zum Kauf entschlossen seit",
        "advocate": "empfiehlt uns weiter seit",
        "first_contact": "erster Kontakt in", "button": "Klick auf eine Schaltfläche",
        "none": "noch keine Hinweise", "quote": "„{text}“",
    },
    "en": {
        "message": "message", "keyword": "keywords “{name}”", "signal": "learned signal ({percent} %)",
        "conversation": "the whole conversation weighed ({percent} %)",
        "page": "page {name}", "situation": "what they said about their situation", "words": "choice of words",
        "browser": "the browser's language", "language_switch": "the website's language switch",
        "intent": "intent {name}", "customer": "a customer since", "decided": "decided to buy since",
        "advocate": "recommending us since",
        "first_contact": "a first contact in", "button": "a button click",
        "none": "no evidence yet", "quote": "“{text}”",
    },
}  # fmt: skip


def _describe(reason: Mapping[str, Any], language: str) -> str:
    texts = _TEXTS[language]
    source, name = str(reason.get("source")), reason.get("name")
    if source == "intent":
        labels = INTENT_LABELS.get(str(name))
        return labels[language == "en"] if labels else texts["intent"].format(name=name)
    if source in ("signal", "conversation"):
        return texts[source].format(percent=round(100 * (reason.get("probability") or reason.get("score") or 0)))
    if source in ("keyword", "page"):
        return texts[source].format(name=str(name or "").rstrip("*"))
    return texts.get(source, source)


def _message(number: Any, messages: Sequence[str], language: str) -> str:
    texts = _TEXTS[language]
    if not number:
        return texts["button"]
    said = " ".join(messages[number - 1].split()) if 0 < number <= len(messages) else ""
    if len(said) > 60:
        said = said[:59].rstrip() + "…"
    return f"{texts['message']} {number}" + (" " + texts["quote"].format(text=said) if said else "")


def _grouped(reasons: Sequence[Mapping[str, Any]], messages: Sequence[str], language: str) -> list[str]:
    """The reasons by message, in order: "Nachricht 2 „…“: fragte nach dem ROI, Stichwörter „money words“"."""
    by_message: dict[Any, list[str]] = {}
    for reason in reasons:
        described = _describe(reason, language)
        found = by_message.setdefault(reason.get("message"), [])
        if described not in found:
            found.append(described)
    return [f"{_message(number, messages, language)}: {', '.join(found)}" for number, found in by_message.items()]


def explanation_lines(
    explanation: Mapping[str, Any] | None, language: str = "de", messages: Sequence[str] = ()
) -> list[str]:
    """One line per slot with a value: the value and the evidence behind it, in `language` (de or en).

    `messages` are the visitor's typed messages in order (the brief's transcript), quoted where a reason
    points to one."""
    language = "en" if language == "en" else "de"
    lines = []
    for slot in ("phase", "persona", "segment", "language"):
        entry = (explanation or {}).get(slot) or {}
        value = entry.get("value")
        if not value:
            continue
        reasons = list(entry.get("reasons") or [])
        if slot == "phase" and len(reasons) == 2:  # a phase kept by an earlier message (see infer_journey)
            # explanations stored before the rule was named were all an existing customer's
            kept = _TEXTS[language].get(str(reasons[0].get("rule") or "customer"), _TEXTS[language]["customer"])
            described = [f"{kept} {_message(reasons[0].get('message'), messages, language)}",
                         *_grouped(reasons[1:], messages, language)]
        else:
            described = _grouped(reasons, messages, language)
        label = VALUE_LABELS[language].get(value, value)
        lines.append(f"{SLOT_NAMES[language][slot]} {label}: {'; '.join(described) or _TEXTS[language]['none']}")
    return lines
