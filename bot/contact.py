"""Contact details a visitor types: e-mail addresses, phone numbers, names and companies."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
# A phone number: international (+49 …, 0049 …) or national (0…) form, 7 to 15 digits.
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d ()/.-]{5,}\d(?!\w)")
# A number as people dial it: starting with + or 0, so amounts ("1200000 kWh") never match.
DIALLED_NUMBER = re.compile(r"(?<![\w.])(?:\+\d|\(?0\d)[\d ()/.-]{4,}\d(?![\w.])")


@dataclass(frozen=True)
class ContactDetails:
    name: str | None = None
    company: str | None = None
    email: str | None = None
    phone: str | None = None

    def merged(self, newer: ContactDetails) -> ContactDetails:
        """These details, with whatever `newer` knows taking precedence."""
        return replace(self, **{k: v for k, v in newer.__dict__.items() if v})


def normalize_phone(text: str) -> str | None:
    """`0171 2345678`, `+49 (0)221 99 88 77`, `0043 664 1234567` → the number as typed, tidied; None if invalid."""
    candidate = text.strip()
    digits = re.sub(r"\D", "", candidate.replace("(0)", ""))
    international = candidate.startswith(("+", "00"))
    if not international and not candidate.lstrip("(").startswith("0"):
        return None
    if not 7 <= len(digits) <= 15:
        return None
    return re.sub(r"\s+", " ", candidate)


def find_email(text: str) -> str | None:
    match = EMAIL.search(text or "")
    return match.group(0).rstrip(".") if match else None


def looks_like_bad_email(text: str) -> bool:
    """The visitor tried to give an e-mail address that is not valid (e.g. `anna@berger`)."""
    return _emailish(text or "") and find_email(text) is None


def _emailish(text: str) -> bool:
    """Whether a word of the text has an @ and something beside it. Word by word, in linear time: the pattern
    `\\S+@\\S*|\\S*@\\S+` over the whole text took 15 s on 50,000 characters without a space."""
    return any("@" in word and word != "@" for word in text.split())


def find_phone(text: str) -> str | None:
    for match in PHONE.finditer(text or ""):
        phone = normalize_phone(match.group(0))
        if phone:
            return phone
    return None


COMPANY_FORM = re.compile(
    r"\b(GmbH|AG|KG|UG|OG|OHG|GbR|e\.\s?K\.?|SE|Ltd\.?|Limited|Inc\.?|LLC|Corp\.?|SARL|S\.?A\.?S?|S\.r\.l\.?|"
    r"S\.?L\.?|B\.?V\.?|AB|Oy|A/S|ApS|plc|Sp\. z o\.o\.?|A\.Ş\.?|Co\.?)(?=\W|$)"
)


def details_from_list(text: str) -> ContactDetails:
    """A comma-separated list like `Anna Berger, Berger Logistik GmbH, anna@…, 0171 …` (any order)."""
    text = re.sub(r"^[^:]{0,40}:\s*", "", text) if ":" in text.split(",")[0] else text  # "Bitte ruft mich an: …"
    # "Können Sie uns ein Angebot machen? Jana Vogt, …": a list part starts after the last ? ! or :
    parts = [re.split(r"[?!:]\s*", p)[-1].strip() for p in re.split(r"[,;\n]", text)]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return ContactDetails()
    name = company = email = phone = None
    for part in parts:
        if email is None and (found := find_email(part)):
            email = found
        elif phone is None and (found := find_phone(part)):
            phone = found
        elif company is None and COMPANY_FORM.search(part):
            company = part.rstrip(".") if not part.endswith(("e.K.", "Inc.", "Ltd.", "Co.")) else part
        elif name is None and plausible_name(part):
            name = plausible_name(part)
    if not (email or phone or company):  # "Hallo, ich hätte gern …" is no contact list
        return ContactDetails()
    return ContactDetails(name, company, email, phone)


_NOT_NAMES = {"kunde", "kundin", "interessent", "interessentin", "inhaber", "inhaberin", "geschäftsführer",
              "geschäftsführerin", "leiter", "leiterin", "einkäufer", "einkäuferin", "mieter", "mieterin", "eigentümer",
              "not", "the", "a", "an", "interested", "looking", "from", "with", "in", "on", "at"}  # fmt: skip
NAME_INTRO = re.compile(
    r"(?:\b[Ii]ch bin|\b[Ii]ch heiße|\b[Ii]ch heisse|\b[Mm]ein [Nn]ame ist|\b[Hh]ier ist|\bI am|\bI'm|\bi'm|"
    r"\b[Mm]y name is|\b[Tt]his is)\s+"
    r"((?:[A-ZÄÖÜ][\w'’-]+)(?:\s+[A-ZÄÖÜ][\w'’-]+){0,2})"
)


def details_from_message(text: str, entities: Iterable[Mapping[str, Any]]) -> ContactDetails:
    """What one message reveals: e-mail and phone by pattern, a comma-separated list by its parts,
    otherwise name and company from the NLU entities."""
    values = {e.get("entity"): str(e.get("value")).strip() for e in entities if e.get("value")}
    phone = find_phone(text) or (normalize_phone(values["phone"]) if values.get("phone") else None)
    found = ContactDetails(
        name=values.get("person"),
        company=values.get("company"),
        email=find_email(text) or (find_email(values["email"]) if values.get("email") else None),
        phone=phone,
    )
    intro = NAME_INTRO.search(text or "")
    if intro and intro.group(1).split()[0].lower() not in _NOT_NAMES:
        found = found.merged(ContactDetails(name=intro.group(1)))
    return found.merged(details_from_list(text))


def details_from_conversation(messages: Iterable[tuple[str, Iterable[Mapping[str, Any]]]]) -> ContactDetails:
    """Everything the visitor revealed in any message so far; later messages win."""
    found = ContactDetails()
    for text, entities in messages:
        found = found.merged(details_from_message(text, entities))
    return found


def plausible_name(text: str) -> str | None:
    """A reply to "what is your name?" that looks like a name (not a question, 1–5 words)."""
    text = text.strip().strip(".!")
    text = re.sub(r"^(ich bin|ich heiße|ich heisse|mein name ist|name:|i am|i'm|my name is|this is)\s+", "", text,
                  flags=re.IGNORECASE)  # fmt: skip
    words = text.split()
    if not 1 <= len(words) <= 5 or "?" in text or EMAIL.search(text) or any(c.isdigit() for c in text):
        return None
    return text


_CONSENT_NO = re.compile(
    r"\b(nein|nee|nö|nicht|kein|keine|lieber nicht|no|nope|not|don't|dont|do not|never|rather not)\b", re.IGNORECASE
)
_CONSENT_YES = re.compile(
    r"\b(ja|jo|jup|jawohl|ok|okay|klar|gerne|gern|passt|einverstanden|zustimm\w*|dürfen|duerfen|darfst|"
    r"yes|yeah|yep|sure|fine|agree\w*|consent|you may|you can|go ahead|of course)\b",
    re.IGNORECASE,
)


def consent_answer(text: str) -> bool | None:
    """A visitor's answer to the consent question: True (yes), False (no), None (not an answer)."""
    if _CONSENT_NO.search(text or ""):
        return False
    if _CONSENT_YES.search(text or ""):
        return True
    return None


def plausible_company(text: str) -> str | None:
    """A reply to "which company?" (not a question, at most 8 words)."""
    text = re.sub(r"^(die firma|firma|wir sind|von der|company:|firma:|we are|i work for|at)\s+", "", text.strip(),
                  flags=re.IGNORECASE).strip("!. ")  # fmt: skip
    words = text.split()
    if not 1 <= len(words) <= 8 or "?" in text or EMAIL.search(text):
        return None
    return text


#: asking for our number or address ("is there a phone number for sales?", "wen ruft er an, wenn er Fragen hat?"):
#: a way to reach us and whom, not support (its own answer) and not "the number of sites"
_OUR_CONTACT = re.compile(
    r"\b(?:(?:phone|telephone|direct) ?(?:number|line)|telefon ?nummer|telefonnummer|rufnummer|durchwahl|"
    r"e-?mail ?(?:address|adresse))\b[^.?!]{0,30}\b(?:sales|vertrieb\w*|you|your|euch|eure\w*|wattwerk|"
    r"someone|jemand\w*)\b|"
    r"\b(?:sales|vertrieb\w*|you|your|euch|eure\w*|wattwerk)\b[^.?!]{0,30}\b(?:phone ?number|telefon ?nummer|"
    r"telefonnummer|rufnummer|durchwahl|e-?mail ?(?:address|adresse))\b|"
    r"\bwen ruf\w*|\bwho (?:do|does|should|can) (?:i|we|he|she|they) (?:call|ring)\b|"
    r"\bhow (?:do|can) (?:i|we) (?:reach|contact|call) (?:you|your sales|sales)\b(?! support)|"
    r"\bwie erreich\w* (?:ich|wir|man|er|sie) (?:euch|sie|den vertrieb|euren vertrieb|ihren vertrieb)\b",
    re.IGNORECASE,
)
_SUPPORT = re.compile(r"\bsupport|kundenservice|kundendienst|customer service|hotline|help ?desk", re.IGNORECASE)


def asks_for_our_contact(text: str) -> bool:
    """True when the visitor asks how to reach our sales team rather than giving their own details ("is there a
    phone number for sales?"): with no e-mail address or phone number of theirs, and not about support."""
    return (bool(_OUR_CONTACT.search(text)) and "?" in text and not _SUPPORT.search(text)
            and not (EMAIL.search(text) or DIALLED_NUMBER.search(text)))  # fmt: skip
