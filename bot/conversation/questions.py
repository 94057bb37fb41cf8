"""What we answer to a specific question: a knowledge entry, or the nearest topics to choose from."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from bot.content.schemas import GENERAL
from bot.conversation.knowledge import (
    ANSWER_THRESHOLD,
    CONTEXT_WORDS,
    FALLBACK_INTENT,
    OVERRIDE_THRESHOLD,
    OVERVIEW_ENTRY,
    PRODUCT_WORDS,
    TOPIC_INTENT,
    KnowledgeIndex,
    Scored,
    named_product,
    topic_words,
)
from bot.conversation.pricing import asks_price
from bot.conversation.situation import bare_count
from bot.numbers import NUMBER_WORDS
from bot.text import clauses, is_question, question_part

#: a question inside a situation statement is answered from an entry at least this close (lower than
#: ANSWER_THRESHOLD: the product that fits is known, and the answer comes on top of the situation answer)
STATEMENT_QUESTION_THRESHOLD = 0.4
#: a second part of a message that the first answer fits about as well (within this margin) asks nothing new
SAME_TOPIC_MARGIN = 0.15
#: a second part that asks nothing ("…, die App zeigt nur Striche") gets its own answer only when an entry fits it
#: this well ("Gibts ne REST API und wo liegen die Daten?")
STATEMENT_PART_THRESHOLD = 0.75
#: an existing customer's request is answered from an entry that fits it at least this well (request_answer)
REQUEST_THRESHOLD = 0.6
#: ... and when the request is a question
QUESTION_REQUEST_THRESHOLD = 0.5
QUESTION_REQUEST_COVERAGE = 0.3


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    #: the entry that answered, or None when the reply offers topics
    entry_id: str | None = None
    #: the catalogue id the answer is about (the product in focus from now on), if any
    product: str | None = None


def topic_payload(entry_id: str) -> str:
    """The button payload that asks for one entry: /ask_topic{"topic": "<id>"}."""
    return f"/{TOPIC_INTENT}{json.dumps({'topic': entry_id})}"


def answer_question(
    index: KnowledgeIndex,
    text: str,
    intent: str | None,
    language: str | None,
    *,
    topic: str | None = None,
    focus: str | None = None,
    segment_products: frozenset[str] = frozenset(),
    missed_before: bool = False,
) -> Reply:
    """The reply to a question that no intent answers specifically.

    A chosen topic (button) is answered directly; `ask_topic` (the NLU already found a fitting
    entry) with the best entry in context; anything else only above ANSWER_THRESHOLD. Otherwise:
    a short "not sure" in the visitor's language with the nearest topics as buttons (only the
    topics when the previous message was not understood either: utter_default gave our contact).
    """
    chosen = index.entry(topic)
    if chosen is not None:
        return _answer(Scored(chosen, 1.0), language)
    threshold = 0.0 if intent == TOPIC_INTENT else ANSWER_THRESHOLD
    lookup = index.lookup(text, None, focus, segment_products, threshold=threshold)
    if lookup.best is not None:
        return _answer(lookup.best, language)
    texts = index.knowledge.texts
    message = (texts.no_match_again if missed_before else texts.no_match).get(language)
    buttons = tuple(Button(s.entry.title.get(language), topic_payload(s.entry.id)) for s in lookup.nearest)
    return Reply(message, buttons)


#: a short question that asks the previous one again for another product: "und für Sense?", "gilt das für den
#: Haushaltsclip genauso?", "and for the sensor product too?" (the action finds the product by the catalogue's names)
_FOLLOW_UP = re.compile(
    r"\b(?:auch|genauso|ebenso|gleich|too|as well|also|same|und für|and for|what about|how about|und bei|und mit|"
    r"and with|wie ist es mit|wie sieht es mit)\b",
    re.IGNORECASE,
)
_PRODUCT_REFERENCE = re.compile(r"\b(?:home|business|sense|sensor\w*|\w*clips?|haushalt\w*|household|"
                                r"dashboard|plattform|platform|software)\b", re.IGNORECASE)  # fmt: skip
FOLLOW_UP_WORDS = 8


#: words that leave a follow-up without a topic of its own
_FOLLOW_UP_FILLER = frozenset("gilt gelten same true apply applies product produkt produkte products one ones "
                              "case fall bei with about other andere anderen anderes".split())  # fmt: skip


def is_follow_up(text: str) -> bool:
    """True for a short question that asks the previous one again for the product it names, without a topic of its
    own ("Hat Home auch eine App?" asks about the app)."""
    if len(text.split()) > FOLLOW_UP_WORDS or not _FOLLOW_UP.search(text) or not _PRODUCT_REFERENCE.search(text):
        return False
    own = [w for w in topic_words(text) if not (_PRODUCT_REFERENCE.fullmatch(w) or _FOLLOW_UP.fullmatch(w)
                                                 or w in _FOLLOW_UP_FILLER)]  # fmt: skip
    return not own


#: words around a bare size that name no topic ("we'd need 10", "wir bräuchten so 10 Stück", "about 20 sensors")
_SIZE_FILLER = frozenset("""d need needed needs brauchen brauche braeuchten bräuchten wuerden würden would wären
    waeren maybe vielleicht about around etwa ca circa rund ungefaehr ungefähr roughly approx stueck stück stk units
    unit pieces sensors sensor sensoren messpunkte messpunkten points punkte machines maschinen sites standorte
    standorten mal dann then also so eher like sowas insgesamt total gesamt more mehr lieber rather say sagen wir let's
    lets""".split())


def is_bare_size(text: str) -> bool:
    """True for a short message that only gives a size ("we'd need 10", "12 please"): the price for it is meant."""
    if not 1 < len(text.split()) <= FOLLOW_UP_WORDS or bare_count(text) is None:
        return False  # a number alone answers the question asked (the calculator's "how many sites?")
    return not [w for w in topic_words(text) if not w.isdigit() and w not in NUMBER_WORDS and w not in _SIZE_FILLER]


#: a customer who needs a person on their case: "and if it stays off?", "wen muss ich da anschreiben", "Bestellnummer
#: WW-4711, könnt ihr nachschauen?"
_ESCALATION = re.compile(
    r"\b(?:und|and) (?:wenn|if)\b.{0,40}\b(?:immer noch|noch immer|still|stays?|bleibt|weiterhin|trotzdem|again|"
    r"wieder)\b.{0,25}\b(?:off|aus|nicht|not|kaputt|offline|broken|kein\w*|no|n'?t|dunkel|dark|leer|empty|falsch|"
    r"wrong|down)\b|\bwen (?:muss|kann|soll) ich\b.{0,15}\b(?:anschreiben|kontaktieren|anrufen|fragen|erreichen)|"
    r"\bwho (?:do|should|can|would) (?:i|we) (?:contact|write|email|e-mail|call|ask|talk)|"
    r"\b(?:k(?:ö|oe)nn(?:t|en)) (?:ihr|sie) (?:da |das |mal |bitte )*(?:nachschauen|nachsehen|pr(?:ü|ue)fen|checken)|"
    r"\bcan you (?:check|look into|look it up|look up)|bestellnummer|order (?:number|no\b)|auftragsnummer|"
    r"\bwer hilft (?:mir|uns)\b.{0,20}\b(?:wenn|falls)\b.{0,30}\b(?:nicht|kaputt|offline|ausf(?:ä|ae)llt)\b|"
    r"\bwho (?:helps|can help|will help) (?:me|us)\b.{0,20}\bif\b.{0,30}(?:\bnot\b|n't\b|\bbroken\b|\boffline\b)",
    re.IGNORECASE,
)


def asks_for_support(text: str) -> bool:
    """True when a customer asks for someone to take up their case (escalation, an order number)."""
    return bool(_ESCALATION.search(text))


#: a customer's device or data that stopped working ("2 of our sensors went offline after the broker update")
_FAULT = re.compile(r"\b(?:offline|went down|ausgefallen|kaputt|defekt|broken|geht nicht mehr|funktionier\w* nicht|"
                    r"(?:doesn|don|isn|aren)'?t work\w*|not working|stopped working|no longer work\w*|"
                    r"fehlermeldung|error|disconnect\w*|abgest(?:ü|ue)rzt|crash\w*|zeigt nichts|shows nothing|"
                    r"stopped (?:sending|reporting|transmitting|updating)|(?:not|n't) sending|no (?:more|new) data|"
                    r"no data (?:since|for|any ?more|coming)|"
                    r"keine (?:daten|werte|messwerte) mehr|sende[nt] (?:nichts|keine|nicht) mehr|"
                    r"senden? keine (?:daten|werte))",
                    re.IGNORECASE)  # fmt: skip
_OURS = re.compile(r"\b(?:sensors?|sensoren|clips?|app|gateways?|dashboard|daten|data|messpunkte?|anzeige|plattform|"
                   r"platform|ger(?:ä|ae)t\w*|devices?)\b", re.IGNORECASE)


#: asking when an order would arrive ("if I order the clip today when would it get here?", "wann wär der dann da?")
_ARRIVAL = re.compile(
    r"\bwhen (?:would|will|does|do|could|can) (?:it|they|the \w+|my \w+|that) (?:get here|arrive|come|be (?:here|"
    r"there|delivered|shipped))|\bhow (?:long|fast|soon)\b[^.?!]{0,40}\b(?:deliver\w*|ship\w*|arriv\w*|get here|"
    r"(?:is|be) (?:it|they) (?:here|there)|get to (?:me|us))\b|"
    r"\bwann (?:w(?:ä|ae)re?|ist|kommt|k(?:ä|ae)me|h(?:ä|ae)tte) (?:der|die|das|er|sie|es|ich ihn|ich sie|ich das)\b"
    r"[^.?!]{0,20}\b(?:da|an|bei mir|bei uns)\s*(?:[?.!,]|$)|\bwie (?:lange|schnell)\b[^.?!]{0,40}\b(?:liefer\w*|"
    r"versand|versende\w*)\b|\bwie (?:lange|schnell)\b[^.?!]{0,20}\bda\s*(?:[?.!,]|$)|\blieferzeit|\bdelivery time",
    re.IGNORECASE,
)


def asks_arrival(text: str) -> bool:
    """True for a question when an order would arrive, however it is put in terms of ordering."""
    return bool(_ARRIVAL.search(text))  # its words ask ("how fast is it here"), with or without a question mark


def reports_fault(text: str) -> bool:
    """True when a customer reports that our device, app or data stopped working."""
    return bool(_FAULT.search(text) and _OURS.search(text))


def product_answer_for_intent(index: KnowledgeIndex, text: str, intent: str, product: str,
                               language: str | None) -> Reply | None:  # fmt: skip
    """For a question with a general answer about all products (`ask_guarantee`: trial, money back, warranty) that
    names one product ("and a longer business trial?"): that product's entry on the topic that fits best; None when
    the product has none."""
    ranked = [s for s in index.rank(text, None, product, keywords=True)
              if s.entry.product == product and intent in s.entry.intents]  # fmt: skip
    return _answer(ranked[0], language) if ranked else None


def without_product_names(text: str) -> str:
    """The question without the words that name a product ("Does Home have an API?" -> "Does have an API?")."""
    return _PRODUCT_REFERENCE.sub(" ", text)


def specific_answer(
    index: KnowledgeIndex,
    text: str,
    intent: str | None,
    language: str | None,
    *,
    focus: str | None = None,
    segment_products: frozenset[str] = frozenset(),
    product_known: bool = True,
) -> Reply | None:
    """The entry that answers `text` better than `intent`'s generic answer (e.g. a spec dump), if one
    clearly fits (OVERRIDE_THRESHOLD) and is not a topic that intent already covers. Without a known product
    (`product_known` False) the generic answer would first ask which product: an entry that fits at
    STATEMENT_QUESTION_THRESHOLD answers then, also on the intent's own topic ("where is the data hosted?")."""
    threshold = OVERRIDE_THRESHOLD if product_known else STATEMENT_QUESTION_THRESHOLD
    best = index.lookup(text, None, focus, segment_products, threshold=threshold).best
    if best is None or (product_known and intent in best.entry.intents):
        return None
    return _answer(best, language)


def request_answer(
    index: KnowledgeIndex,
    text: str,
    language: str | None,
    *,
    focus: str | None = None,
    segment_products: frozenset[str] = frozenset(),
    intent: str | None = None,
) -> Reply | None:
    """The entry that answers an existing customer's request ("die App zeigt seit Tagen offline", "how do I downgrade
    from Home Plus?") when one fits it clearly: REQUEST_THRESHOLD, at least two topic words, and at least half of
    them in the entry ("Kopie meiner Rechnung" is no question about paying by invoice, "Rechnung" alone too
    vague); a question (not about an invoice) at QUESTION_REQUEST_THRESHOLD with a third of its words in the entry.
    None: the standard answer (help centre, customer area, support) suits it."""
    # "will the clip connect to it?" asks more clearly than "die App zeigt offline"; a question about an invoice ("who
    # sorts out being charged twice?") is for support
    asks = is_question(text) and intent != "ask_billing"
    threshold, coverage = (QUESTION_REQUEST_THRESHOLD, QUESTION_REQUEST_COVERAGE) if asks else (REQUEST_THRESHOLD, 0.5)
    best = index.lookup(text, None, focus, segment_products, threshold=threshold).best
    if best is None or len(set(topic_words(text))) < 2 or index.coverage(best.entry, text, strict=True) < coverage:
        return None
    return _answer(best, language)


def keyword_statement(index: KnowledgeIndex, text: str, language: str | None, *, focus: str | None = None
                      ) -> Reply | None:  # fmt: skip
    """The entry a keyword of a statement names ("der Zähler ist noch so ein alter mit Drehscheibe", "our router is
    5 GHz only") when it is the best entry for the statement and is general or for the product in focus; None
    otherwise."""
    keyed = index.keyword_entries(text)
    if not keyed:
        return None
    ranked = index.rank(text, language, focus, keywords=True)
    best = ranked[0] if ranked else None
    if best is None or best.entry.id not in keyed or best.entry.product not in (GENERAL, focus or best.entry.product):
        return None
    return _answer(best, language)


def question_in_statement(
    index: KnowledgeIndex,
    text: str,
    language: str | None,
    *,
    focus: str | None = None,
    segment_products: frozenset[str] = frozenset(),
) -> Reply | None:
    """The entry that answers the question inside a situation statement (`we'd need 6 sensors, how
    does installation work?`), for the product that fits; None when the message asks nothing or no
    entry fits (STATEMENT_QUESTION_THRESHOLD, matched against the question part and the whole message)."""
    asked = question_part(text)
    if asked is None:
        return None
    found = [
        index.lookup(query, None, focus, segment_products, threshold=STATEMENT_QUESTION_THRESHOLD).best
        for query in {asked, text}
    ]  # the whole message too: "who installs them?" needs its "sensors"
    fitting = [b for b in found if b is not None and (focus is None or (b.entry.product in (focus, GENERAL)
                                                                      and b.entry.id != OVERVIEW_ENTRY))]  # fmt: skip
    # the situation answer named the product that fits: no overview of all three, no other product's entry
    best = max(fitting, key=lambda b: b.score, default=None)
    return None if best is None else _answer(best, language)


def second_answer(
    index: KnowledgeIndex,
    text: str,
    answered: str | None,
    language: str | None,
    *,
    focus: str | None = None,
    segment_products: frozenset[str] = frozenset(),
) -> Reply | None:
    """The answer to a second question in the same message (`Gibt es eine REST API und wo liegen die Daten?`):
    the entry that best fits one of its parts, if it clearly fits (OVERRIDE_THRESHOLD) and is not `answered`."""
    other = []
    for ranked in _clearly_fitting_parts(index, text, focus, segment_products):
        if ranked[0].entry.id == answered:
            continue
        first = next((s.score for s in ranked if s.entry.id == answered), 0.0)
        if first < ranked[0].score - SAME_TOPIC_MARGIN:  # "… die App zeigt nur Striche" is the same problem again
            other.append(ranked[0])
    best = max(other, key=lambda b: b.score, default=None)
    return None if best is None else _answer(best, language)


def _clearly_fitting_parts(
    index: KnowledgeIndex, text: str, focus: str | None, segment_products: frozenset[str]
) -> Iterator[list[Scored]]:
    """For each part of a message of two or more parts whose best entry clearly fits it (a question part at
    OVERRIDE_THRESHOLD, a statement part at STATEMENT_PART_THRESHOLD), the entries ranked for that part."""
    parts = clauses(text)
    if len(parts) < 2:
        return
    for part in parts:
        ranked = index.rank(part, None, focus, segment_products, keywords=True)
        threshold = OVERRIDE_THRESHOLD if is_question(part) else STATEMENT_PART_THRESHOLD
        if ranked and ranked[0].score >= threshold:
            yield ranked


#: at most this many open questions of one message are answered from the knowledge entries
SECOND_ANSWERS = 2


def open_second_answer(
    index: KnowledgeIndex,
    text: str,
    intent: str | None,
    language: str | None,
    *,
    focus: str | None = None,
    segment_products: frozenset[str] = frozenset(),
    already_said: Callable[[str], bool] = lambda text: False,
) -> Reply | None:
    """The answer to a question in the message that `intent`'s own answer leaves open ("got a video of the clip? and is
    there a trial?"), or to two (SECOND_ANSWERS): the entry that clearly fits one of its parts, unless it is the
    intent's own topic, the overview of everything, another product's entry (than the one the message names or the
    one in focus; with neither, one for the visitor's segment or a general one; with no segment either, any) or
    `already_said`. None when no part has such an entry."""
    product = named_product(text) or focus
    found: list[tuple[Scored, Reply]] = []
    for ranked in _clearly_fitting_parts(index, text, product, segment_products):
        entry = ranked[0].entry
        if intent in entry.intents or entry.id == OVERVIEW_ENTRY or any(f.entry.id == entry.id for f, _ in found):
            continue
        fits = entry.product in (GENERAL, product) or (product is None and (
            entry.product in segment_products or not segment_products))  # nothing known: the entry's own product
        reply = _answer(ranked[0], language)
        if fits and not already_said(reply.text):
            found.append((ranked[0], reply))
    # two open questions ("Welches Zahlungsziel habt ihr, und wie viel Vorlauf braucht eine Kündigung?") get both
    # answers, in the order they were asked
    best = sorted(found, key=lambda pair: pair[0].score, reverse=True)[:SECOND_ANSWERS]
    replies = [reply for scored, reply in found if (scored, reply) in best]
    if not replies:
        return None
    replies = [r if product or r.product is None else _with_product_named(r) for r in replies]
    return replies[0] if len(replies) == 1 else replace(replies[0], text="\n\n".join(r.text for r in replies))


#: a bare answer to a yes/no question ("nein danke", "ok", "yes please"): no follow-up of the request before it
_BARE_ANSWER = re.compile(r"^\W*(?:(?:ja|jo|nein|nee|ne|no|nope|yes|yeah|yep|ok|okay|sure|klar|gerne?|danke|thanks?|"
                          r"thank you|bitte|please|passt|super|toll|great|cool)\W*)+$", re.IGNORECASE)
#: a delivery that did not come as promised ("no tracking email either", "ne Mail hab ich nie gekriegt")
_NOT_RECEIVED = re.compile(
    r"\b(?:nie|never|no|none|keine?n?|not|nicht|nothing|nix|either|still|immer noch|noch nicht)\b", re.IGNORECASE
)
#: asking for another or a valid one ("anything valid now", "was anderes da?")
_ANOTHER_ONE = re.compile(r"valid|g(?:ü|ue)ltig|\bgilt|ander|\belse\b|\bother|another|\bnow\b|\bjetzt\b",
                          re.IGNORECASE)


def continued_request(text: str, previous_intent: str | None) -> str | None:
    """The intent a short follow-up continues ("bis wann gilt der?", "anything valid now?", "gibts was anderes?" after
    a voucher answer: the vouchers; "no tracking email either" after the delivery answer: our support); None when the
    message is no such follow-up or a bare yes or no."""
    if not previous_intent or _BARE_ANSWER.match(text) or len(topic_words(text)) > CONTEXT_WORDS:
        return None
    if previous_intent == "ask_voucher" and (is_question(text) or _ANOTHER_ONE.search(text)):
        return "ask_voucher"  # "nee, lass mal" refuses what the bot offered next
    if previous_intent == "ask_delivery" and _NOT_RECEIVED.search(text) and not is_question(text):
        return "ask_support"
    return None


#: a voucher or discount code asked for ("und kann ich den Willkommensgutschein noch einlösen?", "any discount code?")
_ASKS_VOUCHER = re.compile(r"gutschein|voucher|coupon|(?:promo|rabatt|discount|aktions|welcome|willkommens)[ -]?codes?",
                           re.IGNORECASE)  # not any code: "source code", "QR code"
#: intents whose answer gives a price (or works one out) already
PRICE_ANSWERED = frozenset({"ask_price", "ask_tco", "ask_roi", "ask_discount", "ask_voucher", "inform_situation",
                            "order", "nlu_fallback"})
#: intents whose answer says what vouchers there are already
VOUCHER_ANSWERED = frozenset({"ask_voucher", "ask_referral", "nlu_fallback"})
PRICE_REQUEST, VOUCHER_REQUEST = "price", "voucher"


def open_request(text: str, intent: str | None) -> str | None:
    """What another part of a message with several asks wants that `intent`'s answer does not give: a price
    ("how much is the clip, and does the app run on an iPhone?") or a voucher ("got a video? and any discount code?");
    None when the message asks one thing or the answer covers both."""
    parts = clauses(text)
    if len(parts) < 2:
        return None
    if intent not in PRICE_ANSWERED and any(asks_price(part) for part in parts):
        return PRICE_REQUEST
    if intent not in VOUCHER_ANSWERED and any(_ASKS_VOUCHER.search(part) for part in parts):
        return VOUCHER_REQUEST
    return None


def with_full_name(text: str, product_id: str | None) -> str:
    """`text` with the first short product name ("Sense warnt …") spelt out ("Wattwerk Sense warnt …"), so that the
    answer names the product it is about; unchanged when it names it in full already or not at all."""
    short = next((word for word, pid in PRODUCT_WORDS.items() if pid == product_id), None)
    if short is None:
        return text
    full = f"Wattwerk {short.capitalize()}"
    if full.lower() in text.lower():
        return text
    return re.sub(rf"(?<!Wattwerk[- ])\b{short.capitalize()}\b", full, text, count=1)


def _with_product_named(reply: Reply) -> Reply:
    """`reply` starting with the name of the product it is about when it does not name it ("Wattwerk Home: No
    electrician needed …"): the visitor named none."""
    short = next((word for word, pid in PRODUCT_WORDS.items() if pid == reply.product), None)
    full = f"Wattwerk {short.capitalize()}" if short else None
    if full is None or full.lower() in reply.text.lower():
        return reply
    return replace(reply, text=f"{full}: {reply.text}")


def _answer(scored: Scored, language: str | None) -> Reply:
    entry = scored.entry
    product = None if entry.product == "general" else entry.product
    return Reply(with_full_name(entry.answer.get(language), product), entry_id=entry.id, product=product)


__all__ = [
    "FALLBACK_INTENT",
    "Button",
    "Reply",
    "answer_question",
    "continued_request",
    "is_follow_up",
    "keyword_statement",
    "open_request",
    "open_second_answer",
    "question_in_statement",
    "request_answer",
    "second_answer",
    "specific_answer",
    "topic_payload",
    "without_product_names",
]  # fmt: skip
