"""Why the bot places a visitor where it does, in words for a salesperson (German or English).

The `journey_explanation` slot (see `JourneyState.explanation`) holds, per slot, the value and the
evidence behind it: which message, which intent, keyword, page or learned reading, and its score.
This module turns it into lines such as
"Persona Budgetverantwortlich: fragte nach dem ROI (Nachricht 3); fragte nach Rabatten (Nachricht 5)".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SLOT_NAMES = {
    "de": {"phase": "Phase", "persona": "Persona", "segment": "Segment", "language": "Sprache"},
    "en": {"phase": "Phase", "persona": "Persona", "segment": "Segment", "language": "Language"},
}

VALUE_LABELS = {
    "de": {
        "awareness": "Wahrnehmung", "consideration": "Überlegung", "decision": "Entscheidung",
        "retention": "Bindung (Kunde)", "advocacy": "Weiterempfehlung",
        "skeptic": "Skeptiker", "experience_seeker": "Erlebnissucher", "influencer": "Beeinflusser",
        "budget_owner": "Budgetverantwortlich", "technical": "Technik",
        "b2b": "B2B (Unternehmen)", "b2c": "B2C (Privat)", "de": "Deutsch", "en": "Englisch",
    },
    "en": {
        "awareness": "awareness", "consideration": "consideration", "decision": "decision",
        "retention": "retention (customer)", "advocacy": "advocacy",
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
    "order": ("wollte bestellen", "wanted to order"),
    "ask_support": ("brauchte Hilfe als Kunde", "needed help as a customer"),
    "ask_billing": ("fragte zur Rechnung", "asked about an invoice"),
    "ask_renewal": ("fragte zur Verlängerung", "asked about renewal"),
    "ask_delivery": ("fragte nach der Lieferung", "asked about a delivery"),
    "praise": ("lobte das Produkt", "praised the product"),
    "ask_referral": ("wollte uns weiterempfehlen", "wanted to recommend us"),
}

_TEXTS = {
    "de": {
        "message": "Nachricht", "keyword": "schrieb „{text}“ (Stichwörter: {name})",
        "signal": "schrieb „{text}“ (gelerntes Signal, {percent} %)", "page": "war auf der Seite {name}",
        "situation": "nannte die Branche {name}", "situation_plain": "beschrieb die eigene Lage",
        "words": "schrieb auf {value}", "intent": "Absicht {name}", "customer": "ist schon Kunde",
        "none": "noch keine Hinweise",
    },
    "en": {
        "message": "message", "keyword": "wrote “{text}” (keywords: {name})",
        "signal": "wrote “{text}” (learned signal, {percent} %)", "page": "was on the page {name}",
        "situation": "named the sector {name}", "situation_plain": "described their situation",
        "words": "wrote in {value}", "intent": "intent {name}", "customer": "is a customer already",
        "none": "no evidence yet",
    },
}  # fmt: skip


def _reason(reason: Mapping[str, Any], value: str, language: str) -> str:
    texts = _TEXTS[language]
    source, name = reason.get("source"), reason.get("name")
    if source == "intent":
        labels = INTENT_LABELS.get(str(name))
        described = labels[language == "en"] if labels else texts["intent"].format(name=name)
    elif source == "signal":
        percent = round(100 * (reason.get("probability") or reason.get("score") or 0))
        described = texts["signal"].format(text=reason.get("text") or "", percent=percent)
    elif source == "keyword":
        described = texts["keyword"].format(text=reason.get("text") or "", name=name)
    elif source == "page":
        described = texts["page"].format(name=name)
    elif source == "situation":
        described = texts["situation"].format(name=name) if name else texts["situation_plain"]
    elif source == "words":
        described = texts["words"].format(value=VALUE_LABELS[language].get(value, value))
    else:
        described = str(source)
    number = reason.get("message")
    return f"{described} ({texts['message']} {number})" if number else described


def explanation_lines(explanation: Mapping[str, Any] | None, language: str = "de") -> list[str]:
    """One line per slot with a value: the value and the evidence behind it, in `language` (de or en)."""
    language = "en" if language == "en" else "de"
    lines = []
    for slot in ("phase", "persona", "segment", "language"):
        entry = (explanation or {}).get(slot) or {}
        value = entry.get("value")
        if not value:
            continue
        reasons = list(entry.get("reasons") or [])
        if slot == "phase" and len(reasons) == 2:  # an existing customer's later question (see infer_journey)
            described = [f"{_TEXTS[language]['customer']} ({_TEXTS[language]['message']} {reasons[0].get('message')})",
                         _reason(reasons[1], value, language)]  # fmt: skip
        else:
            described = [_reason(reason, value, language) for reason in reasons]
        label = VALUE_LABELS[language].get(value, value)
        lines.append(f"{SLOT_NAMES[language][slot]} {label}: {'; '.join(described) or _TEXTS[language]['none']}")
    return lines
