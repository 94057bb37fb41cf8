"""The visitor's situation as data: size, energy cost, sector and the product in focus, from any message.

Plain functions over text, German and English, with both number formats (`bot.numbers`):
`extract` reads one message, `Situation.refined` keeps what earlier messages said unless a later
one says it anew, `fitting_product` names the product that suits the situation.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any

from bot.numbers import NUMBER_WORDS, find_numbers, number_word
from bot.text import normalize

HOME, BUSINESS, SENSE = "wattwerk-home", "wattwerk-business", "wattwerk-sense"
PRODUCT_SEGMENT = {HOME: "b2c", BUSINESS: "b2b", SENSE: "b2b"}
MAX_COUNT = 100_000

# Sectors and building types: (sector, segment, product that fits by default or None, word stems).
# Stems are matched against normalized words (umlauts spelled out): as a prefix, and inside
# compounds ("bäckereifilialen") when they are at least five letters long. First sector wins.
SECTORS: tuple[tuple[str, str, str | None, tuple[str, ...]], ...] = (
    ("family_business", "b2b", BUSINESS, ("familienunternehmen", "familienbetrieb", "family business",
                                          "family-owned", "family owned", "family-run", "family run")),
    ("housing_company", "b2b", BUSINESS, ("wohnungsbau", "wohnanlage", "hausverwaltung", "housing compan",
                                          "property manag", "ich verwalte", "wir verwalten", "allgemeinstrom",
                                          "apartment buildings", "blocks of flats", "communal electricity",
                                          "wohnungswirtschaft", "wohnungsunternehmen", "wohnungsgenossenschaft",
                                          "housing association", "housing sector", "residential propert")),
    ("bakery", "b2b", BUSINESS, ("baecker", "bakery", "bakeries", "backstube")),
    ("hotel", "b2b", BUSINESS, ("hotel", "pension", "gasthof")),
    ("gym", "b2b", BUSINESS, ("fitness", "gym", "sportstudio", "studios")),
    ("supermarket", "b2b", BUSINESS, ("supermarkt", "supermaerkt", "supermarket", "lebensmittelmarkt",
                                      "discounter", "grocery")),
    ("medical_practice", "b2b", BUSINESS, ("zahnarzt", "arztpraxis", "praxis", "praxen", "dental", "dentist",
                                           "medical practice", "doctor", "physio", "tieraerzt")),
    ("hospital", "b2b", None, ("krankenhaus", "klinik", "hospital", "clinic")),
    ("hospitality", "b2b", BUSINESS, ("hostel", "jugendherberge", "camping", "campsite", "ferienwohnungen",
                                      "holiday flats", "holiday apartments")),
    ("leisure", "b2b", BUSINESS, ("kino", "cinema", "schwimmbad", "hallenbad", "freibad", "swimming pool",
                                  "sportverein", "sports club", "theater", "theatre", "museum")),
    ("car_wash", "b2b", BUSINESS, ("waschstrasse", "waschanlage", "car wash", "carwash", "tankstelle",
                                   "petrol station", "gas station")),
    ("public", "b2b", BUSINESS, ("gemeinde", "rathaus", "town hall", "kommune", "municipal", "kirche",
                                 "church", "pfarr", "parish", "verwaltung")),
    ("agriculture", "b2b", SENSE, ("landwirt", "bauernhof", "milchvieh", "melkrobot", "milking", "dairy farm",
                                   "gewaechshaus", "greenhouse", "under glass", "gaertnerei", "weingut", "winery",
                                   "brauerei", "brewery", "kelterei")),
    ("school", "b2b", BUSINESS, ("schulverband", "schulgebaeude", "schule", "school", "kita")),
    ("office", "b2b", BUSINESS, ("buero", "office", "coworking", "co-working", "kanzlei", "agentur", "agency")),
    ("retail", "b2b", BUSINESS, ("einzelhandel", "filiale", "laden", "laeden", "retail", "boutique",
                                 "handelskette", "retail chain", "autohaus", "autohaeuser", "dealership",
                                 "car dealer")),
    ("restaurant", "b2b", BUSINESS, ("restaurant", "gastronomie", "cafe", "kantine", "canteen")),
    ("logistics", "b2b", BUSINESS, ("logistik", "logistics", "lagerhalle", "warehouse", "spedition")),
    ("manufacturing", "b2b", SENSE, ("fabrik", "factory", "produktion", "production", "fertigung",
                                     "manufactur", "metallbau", "maschinenbau", "spritzguss", "werkstatt",
                                     "paper mill", "sawmill", "giesserei", "foundry", "druckerei", "industrie",
                                     "automotive", "zulieferer", "spritzgie", "injection mould", "moulding",
                                     "industrial", "plant", "werk", "kuehlhaus", "halle")),
    ("flat", "b2c", HOME, ("mietwohnung", "wohnung", "zur miete", "mieter", "tenant", "flat", "apartment",
                           "zimmer")),
    ("terraced_house", "b2c", HOME, ("reihenhaus", "terraced", "townhouse", "town house")),
    ("detached_house", "b2c", HOME, ("einfamilienhaus", "doppelhaus", "detached", "semi detached",
                                     "semi-detached", "eigenheim")),
    ("household", "b2c", HOME, ("haushalt", "household", "familie", "family", "waermepumpe", "heat pump",
                                "wg", "homeowner", "wallbox", "e-auto", "elektroauto", "electric car",
                                "balkonkraftwerk", "rentner", "our house ", "my house ", "mein haus ",
                                "meinem haus ")),  # whole words ("mein Hausmeister" is none); "unser Haus" is also
    # a firm's way to say "our company"
)  # fmt: skip

#: the last sector: words that only hint at a household (family, heat pump) count when no other sector is named
GENERIC_HOUSEHOLD = "household"

# What a count is of: the noun after the number (or a generic "Stück"/"units" after a named thing).
_SITE_STEMS = ("standort", "filiale", "site", "location", "branch", "niederlassung", "store", "shop", "laden",
               "laeden", "markt", "maerkt", "supermarket", "market", "hotel", "office", "buero", "praxis",
               "praxen", "practice", "gebaeude", "building", "schul", "school", "wohnanlage", "objekt",
               "propert", "lager", "warehouse", "baecker", "bakery", "bakeries", "restaurant", "werke",
               "plants", "klinik", "clinic", "kita", "haeuser", "house", "liegenschaft", "immobilie",
               "geschaeft", "studio", "dealership", "autohaus", "autohaeuser", "halle", "hostel", "waschstra",
               "waschanlage", "car wash", "carwash", "hall", "kino", "cinema", "camping", "campsite", "block",
               "wohnblock",
               "tankstelle", "petrol station", "apotheke", "pharmac", "kirche", "church", "bad", "pool", "theater",
               "theatre", "depot", "outlet", "salon", "waschsalon", "laundr", "launderette", "ferienwohnung", "museum",
               "sporthalle", "turnhalle", "rathaus", "gemeindehaus", "coworking", "co-working", "cafe", "café",
               "bistro", "kiosk", "gym", "fitnessstudio", "mehrfamilienh", "mietshaus", "mietshaeuser")  # fmt: skip
_MACHINE_STEMS = ("maschine", "machine", "messpunkt", "measuring point", "metering point", "messstelle", "sensor",
                  "aggregat", "kompressor", "compressor", "anlage", "motor", "pumpe", "pump", "chiller",
                  "kuehlung", "ofen", "oefen", "oven", "zaehler", "meter", "spritzgie", "presse", "fan",
                  "luefter", "geraet", "device", "verbraucher", "stromkreis", "circuit", "kuehlstell", "kuehlzelle",
                  "kuehltruhe", "kuehlschr", "refrigerat", "freezer", "fridge", "kuehlmoebel", "washer", "dryer",
                  "waschmaschine", "trockner", "ahu", "lueftungsanlage", "air handling", "klimaanlage",
                  "air condition", "kessel", "boiler", "rack", "roboter", "robot", "aufzug", "elevator",
                  "druckmaschine", "abfuelllinie", "kaeltemaschine", "verdichter", "heizkessel", "cooling", "kaelte",
                  "bhkw", "chp", "lueftung", "ventilat", "absaug")  # fmt: skip
#: machines named in two words ("15 air handling units")
_MACHINE_PHRASES = tuple(stem for stem in _MACHINE_STEMS if " " in stem)
#: short words that count measuring points only as whole words ("9 points", "an sechs Stellen", not "Tankstellen")
_MACHINE_WORDS = ("point", "points", "punkt", "punkte", "stelle", "stellen")
#: words for the meter or device every household and building has: naming one says nothing about machines
_DEVICE_WORDS = ("zaehler", "meter", "geraet", "device", "sensor", "verbraucher")
_GENERIC_STEMS = ("stueck", "stk", "units", "unit", "pieces", "teile", "einheiten")
#: "4 Sachen, die viel Strom ziehen": things count as machines only with their consumption
_THINGS = ("sachen", "dinge", "things")
_DRAW = ("strom", "power", "energie", "energy", "ziehen", "zieht", "draw", "verbrauch", "consum", "fressen", "frisst")
_EMPLOYEE_STEMS = ("mitarbeit", "beschaeftigt", "angestellt", "employee", "staff", "kollegen", "people", "leute",
                   "personen", "menschen", "team", "user", "nutzer", "benutzer", "seats")  # fmt: skip
_CONSUMPTION_UNITS = {"kwh": Decimal(1), "kilowattstunden": Decimal(1), "mwh": Decimal(1000),
                      "megawattstunden": Decimal(1000), "gwh": Decimal(1_000_000)}  # fmt: skip
#: measuring machines one by one: Sense
#: one site named with the German article ("ein Standort, 12 Leute"), which counts nothing elsewhere ("ein Messpunkt
#: pro Maschine"); "mehr als ein Standort" is no count
_ONE_SITE = re.compile(r"(?<!\bals )\b(?:ein|eine|einen|einem)\s+(?:einzige[nm]?\s+)?"
                       r"(?:standort|filiale|niederlassung)\b(?!\s+(?:pro|je|mehr)\b)")
_INDIVIDUAL = re.compile(r"\b(?:einzeln|separately|individually|each (?:machine|one|of (?:them|those))|"
                         r"each (?:unit|device|appliance|line|compressor|oven|motor)'?s?|"
                         r"jede[nsr]? (?:einzelne[nsr]? )?(?:geraet|aggregat|maschine|anlage|linie)|"
                         r"every (?:single )?machine|pro maschine|per machine|"
                         r"on (?:its|their) own|separat|getrennt)\b")  # fmt: skip
#: ... to be seen or measured ("want to see compressors and cooling separately"), not billed ("getrennt abgerechnet")
_SEEING = re.compile(r"\b(?:seh|sieh|mess|erfass|anzeig|zeig|ueberwach|see|view|measur|monitor|track|show|watch)\w*")
#: an annual energy cost at or above this is a business's (Business fits when nothing else decides)
BUSINESS_ENERGY_COST_EUR = 10_000
_CURRENCY_BEFORE = re.compile(r"(?:€|eur|euro)\s*$", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(r"^\s*(?:€|eur\b|euro|euros\b)", re.IGNORECASE)
_PER_YEAR = re.compile(r"\b(?:im jahr|pro jahr|per year|a year|per annum|jaehrlich|annually|yearly|/\s*jahr|p\.\s?a\.)")
_COST_WORDS = re.compile(r"\b(?:kosten|rechnung|stromrechnung|zahlen|zahle|bezahlen|ausgaben|bill|spend|spending|"
                         r"pay|paying|cost|costs|energiekosten|stromkosten)\b")  # fmt: skip
_PER_SITE = re.compile(r"^\W*(?:\w+\W+){0,2}?(?:pro|je|per|each|every|jede[nrs]?)\s+(?:haus|standort|filiale|"
                       r"site|location|store|shop|hotel|house|branch|markt|objekt)")  # fmt: skip
_PER_MONTH = re.compile(r"^\W*(?:(?:pro|je|per|each|every|jede[nrs]?)\s+\w+\W+)?"
                        r"(?:(?:strom|energie|energy|power|electricity|for|on|fuer|an)\s+){0,2}"
                        r"(?:im monat|pro monat|per month|a month|monthly|monatlich|each month|jeden monat|/ ?monat|"
                        r"/ ?month|p\.? ?m\b)")  # fmt: skip
_WORD = re.compile(r"[^\W_]+(?:-[^\W\d_]+)?")  # letters with accents too: "5 cafés"


@dataclass(frozen=True)
class Situation:
    """What is known about the visitor; None: not said (yet)."""

    sites: int | None = None  # sites, branches, stores, buildings
    measuring_points: int | None = None  # machines, measuring points, sensors
    employees: int | None = None
    energy_cost_eur: Decimal | None = None  # per year, all sites together
    consumption_kwh: Decimal | None = None  # per year
    sector: str | None = None
    segment: str | None = None  # b2b / b2c
    product: str | None = None  # catalogue id of the product in focus

    def refined(self, newer: Situation) -> Situation:
        """This situation updated by what a later message said; nothing said earlier is forgotten."""
        return replace(self, **{f.name: getattr(newer, f.name) for f in fields(self)
                                if getattr(newer, f.name) is not None})  # fmt: skip

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def has_facts(self) -> bool:
        """True when the visitor said something about themselves (size, cost, sector), not only a product."""
        return any(getattr(self, f.name) is not None for f in fields(self) if f.name not in ("product", "segment"))


# Slot names in domain/situation.yml for the fields that are kept in their own slot.
SLOTS = {
    "sites": "situation_sites",
    "measuring_points": "situation_measuring_points",
    "employees": "situation_employees",
    "energy_cost_eur": "situation_energy_cost",
    "consumption_kwh": "situation_consumption",
    "sector": "situation_sector",
}


def from_slots(get: Callable[[str], Any]) -> Situation:
    """The situation kept in the tracker's slots (`get` is `tracker.get_slot`)."""

    def whole(name: str) -> int | None:
        value = get(name)
        try:
            return None if value is None else int(value)
        except (TypeError, ValueError):
            return None

    def amount(name: str) -> Decimal | None:
        value = get(name)
        try:
            return None if value is None else Decimal(str(value))
        except ArithmeticError:
            return None

    segment = get("segment")
    return Situation(
        sites=whole(SLOTS["sites"]),
        measuring_points=whole(SLOTS["measuring_points"]),
        employees=whole(SLOTS["employees"]),
        energy_cost_eur=amount(SLOTS["energy_cost_eur"]),
        consumption_kwh=amount(SLOTS["consumption_kwh"]),
        sector=get(SLOTS["sector"]) or None,
        segment=segment if segment in ("b2b", "b2c") else None,
        product=get("product") if get("product") in PRODUCT_SEGMENT else None,
    )


def slot_values(situation: Situation) -> dict[str, Any]:
    """The slot values for the fields kept in domain/situation.yml (numbers as floats)."""
    values: dict[str, Any] = {}
    for name, slot in SLOTS.items():
        value = getattr(situation, name)
        values[slot] = float(value) if isinstance(value, int | Decimal) else value
    return values


def _stem_in(word: str, stems: tuple[str, ...]) -> bool:
    return any(word.startswith(stem) or (len(stem) >= 5 and stem in word) for stem in stems)


#: words that contain a sector's stem without naming it: pensioners are no guesthouse, charging an e-car ("das Laden
#: zuhause") is no shop
_NO_SECTOR = re.compile(r" (?:das|beim|zum|fuers|vom) laden\b| laden (?=zu ?hause|daheim|zuhaus)|"
                        r" (?:vom|beim|im|from the|from a|at the|at a) discounter\b")  # bought there, not run
#: ... and words that name a household although they contain another sector's stem: pensioners ("pension"), a home
#: office ("office"); they are read as "rentner"
_HOUSEHOLD_WORDS = re.compile(r" \w*pension(?:ist|aer|iert|er)\w*| home ?office| work(?:ing)? from home")


@functools.cache
def _stem_pattern(stem: str) -> re.Pattern[str]:
    """A word starting with the stem; a long stem may also end a compound ("Großbäckerei")."""
    escaped = re.escape(stem)
    return re.compile(rf" ({escaped}\w*|\w+{escaped}\w*)" if len(stem) >= 5 else rf" {escaped}\w*")


def sector_of(text: str) -> tuple[str, str, str | None] | None:
    """(sector, segment, default product) of the first sector or building type the text names."""
    norm = _NO_SECTOR.sub(" ", " " + " ".join(_WORD.findall(normalize(text))) + " ")
    norm = _HOUSEHOLD_WORDS.sub(" rentner ", norm)
    best: tuple[int, tuple[str, str, str | None]] | None = None
    for sector, segment, product, stems in SECTORS:
        if sector == GENERIC_HOUSEHOLD and best is not None:  # "family-run hotel": the hotel decides
            break
        for stem in stems:
            if " " in stem:
                position = norm.find(f" {stem}")
            else:
                match = _stem_pattern(stem).search(norm)
                position = match.start() if match else -1
            if position >= 0 and (best is None or position < best[0]):
                best = (position, (sector, segment, product))
    return best[1] if best else None


@dataclass(frozen=True)
class _Token:
    word: str
    value: Decimal | None = None  # a number (digits or a number word)
    money: bool = False
    percent: bool = False
    raw: str = ""
    raw_end: int = 0  # where the number ends in the original text


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    for match in find_numbers(text):
        tokens += [_Token(w) for w in _WORD.findall(normalize(text[position : match.start]))]
        before, after = text[max(0, match.start - 6) : match.start], text[match.end : match.end + 8]
        money = bool(_CURRENCY_BEFORE.search(before) or _CURRENCY_AFTER.match(after))
        if before.rstrip().endswith("+") or _is_ordinal(text, match.start, match.end):  # +49 30 …, "im 1. Stock"
            position = match.end
            continue
        tokens.append(
            _Token("#", match.number.value, money, match.number.percent, text[match.start : match.end], match.end)
        )
        position = match.end
    tokens += [_Token(w) for w in _WORD.findall(normalize(text[position:]))]
    return [_Token(t.word, Decimal(number_word(t.word))) if t.value is None and number_word(t.word) else t
            for t in tokens]  # fmt: skip


#: a German ordinal after an article or preposition ("im 1. Stock", "ab dem 3. Monat") counts nothing
_ORDINAL_BEFORE = re.compile(r"\b(?:im|am|zum|vom|ab|bis|seit|der|die|das|den|dem|des|jede[nmrs]?)\s+$", re.IGNORECASE)
_ORDINAL_AFTER = re.compile(r"\.\s*(?!(?:was|wie|wo|wann|und|oder|aber|danke|bitte|ich|wir|das|es|what|how|and|but|"
                            r"thanks|please|i|we|it)\b)[^\W\d_]", re.IGNORECASE)


def _is_ordinal(text: str, start: int, end: int) -> bool:
    return bool(_ORDINAL_AFTER.match(text, end) and _ORDINAL_BEFORE.search(text[max(0, start - 12) : start]))


# Spans of time: "30 Tage", "3 years" count nothing.
_TIME_STEMS = ("tag", "day", "woche", "week", "monat", "month", "jahr", "year", "stunde", "hour", "minute", "sekunde",
               "second", "prozent", "percent")  # fmt: skip
# Rooms of one home or building: a number before them counts no sites, machines or people.
_ROOM_STEMS = ("bedroom", "room", "zimmer", "schlafzimmer", "raum", "raeume")


def _count(value: Decimal) -> int | None:
    if value != value.to_integral_value() or not 1 <= value <= MAX_COUNT:
        return None
    return int(value)


def _noun_kind(words: list[str]) -> str | None:
    """What the words after a number count: sites, measuring_points, employees, consumption or generic."""
    joined = " ".join(words)
    if words and _stem_in(words[0], _ROOM_STEMS):  # "3-bedroom house", "4-Zimmer-Wohnung": rooms, not sites
        return None
    for index, word in enumerate(words):
        if word in _CONSUMPTION_UNITS:
            return "consumption:" + word
        if _stem_in(word, ("wohnanlage",)):
            return "sites"
        if (_stem_in(word, _MACHINE_STEMS) or word in _MACHINE_WORDS
                or joined.startswith(_MACHINE_PHRASES)):  # fmt: skip
            return "measuring_points"
        if _stem_in(word, _SITE_STEMS):
            return "sites"
        if _stem_in(word, _EMPLOYEE_STEMS):
            return "employees"
        if word in _GENERIC_STEMS:
            return "generic"
        if index == 0 and word in ("x", "mal", "times"):
            return None
    return None


def extract(text: str, named_product: str | None = None) -> Situation:
    """The facts one message states about the visitor; `named_product`: a product the message names."""
    tokens = _tokens(text or "")
    norm = normalize(text or "")
    found: dict[str, Any] = {}
    price_per_kwh: Decimal | None = None
    last_machines: int | None = None  # where the last count of machines stood
    sector = sector_of(text or "")
    household = sector is not None and sector[1] == "b2c"
    for index, token in enumerate(tokens):
        if (token.word in _INDEFINITE and last_machines is not None and _listed(tokens, last_machines, index)
                and not _ratio(tokens, index)):  # "20 machines, one sensor per machine": 20
            if _noun_kind([t.word for t in tokens[index + 1 : index + 2]]) == "measuring_points":
                found["measuring_points"] += 1  # "vier Fräsmaschinen, zwei Öfen und ein Kompressor": 7
                last_machines = index
            continue
        if token.value is None or token.percent:
            continue
        following = []
        for later in tokens[index + 1 : index + 4]:
            if later.value is not None:
                break
            following.append(later.word)
        if _is_unit_price(token, following):  # "25 ct/kWh", "0,25 €/kWh": the price, not the consumption
            price_per_kwh = token.value / 100 if following[0] in _CENTS else token.value
            continue
        kind = None if token.money else _noun_kind(following)
        if kind is None and following and following[0] in _THINGS and any(
                _stem_in(t.word, _DRAW) for t in tokens[index + 2 : index + 7]):
            kind = "generic"  # "also 4 Sachen, die viel Strom ziehen", after the machines they sum up
        if kind and kind.startswith("consumption:"):
            found["consumption_kwh"] = token.value * _CONSUMPTION_UNITS[kind.split(":")[1]]
            continue
        count = _count(token.value)
        if count == 1 and _ratio(tokens, index):
            continue  # "every machine gets one sensor", "ein Messpunkt pro Maschine": a ratio, not a count
        if kind == "generic" and count:
            earlier = [t.word for t in tokens[max(0, index - 8) : index] if t.value is None]
            kind = "measuring_points" if any(_stem_in(w, _MACHINE_STEMS) for w in earlier) else None
        listed = last_machines is not None and _listed(tokens, last_machines, index)
        if kind == "measuring_points" and count and listed:
            found[kind] = (found.get(kind) or 0) + count  # "4 washers and 3 dryers": 7 measuring points
            last_machines = index
            continue
        if kind == "measuring_points" and count and found.get("sites") and (
                (index and tokens[index - 1].word in _EACH) or _per_site(tokens, index)):
            count *= found["sites"]  # "3 Hallen mit je 4 Kühlaggregaten", "6 cooling units in each store": per site
        if kind in ("sites", "measuring_points") and count:
            found[kind] = max(count, found.get(kind) or 0)
            last_machines = index if kind == "measuring_points" else last_machines
            continue
        if kind == "employees" and count and not household:
            found["employees"] = count
            continue
        if kind is None and _is_amount(token, tokens, index, norm):
            found["energy_cost_eur"] = _per_site_total(token, text, found.get("sites"))
    if "sites" not in found and _ONE_SITE.search(norm):
        found["sites"] = 1
    if "measuring_points" not in found:
        listed = _listed_machines(norm)  # "a paar große Maschinen: Absaugung, Kreissäge, Hobel": 3
        if listed:
            found["measuring_points"] = listed
    words = _WORD.findall(norm)
    hints = {"individual": bool(_INDIVIDUAL.search(norm)), "seen": bool(_SEEING.search(norm)),
             "machines_named": any(_stem_in(w, _MACHINE_STEMS) and not _stem_in(w, _DEVICE_WORDS)
                                   for w in words if len(w) > 3)}  # fmt: skip
    if price_per_kwh and found.get("consumption_kwh") and "energy_cost_eur" not in found:
        found["energy_cost_eur"] = (found["consumption_kwh"] * price_per_kwh).quantize(Decimal(1))
    segment = None
    if sector and sector[0] == GENERIC_HOUSEHOLD and ((found.get("sites") or 0) > 1 or found.get("employees")):
        sector = None  # "in our house we have 200 employees and 3 sites": a firm, whatever word hinted a home
    if sector:
        found["sector"] = sector[0]
        segment = sector[1]
    implied = _implied_product({**found, **hints}, sector)
    if named_product == HOME and implied in (BUSINESS, SENSE) and (found.get("sites") or found.get("measuring_points")):
        named_product = None  # "5 camping sites, every site has its own electricity meter": no household clip
    product = named_product or implied
    if segment is None and product is not None:
        segment = PRODUCT_SEGMENT.get(product)
    return Situation(segment=segment, product=product, **found)


#: machines named one by one after a colon ("Maschinen: Absaugung, Kreissäge, Hobel")
_MACHINE_LIST = re.compile(r"\b(?:maschinen|machines|anlagen|verbraucher|geraete|devices|equipment|units)\s*:\s*"
                           r"([^.?!:]+)")


def _listed_machines(norm: str) -> int | None:
    """How many machines a list after a colon names (two to twenty, each one or two words); None without one."""
    match = _MACHINE_LIST.search(norm)
    if match is None:
        return None
    items = [item.strip() for item in re.split(r",|\bund\b|\band\b|\bsowie\b|\bplus\b|/", match.group(1))]
    items = [item for item in items if item]
    if not 2 <= len(items) <= 20 or any(len(item.split()) > 2 or any(c.isdigit() for c in item) for item in items):
        return None
    return len(items)


_INDEFINITE = ("ein", "eine", "einen", "einem", "einer", "a", "an", "one")
_EACH = ("je", "jeweils", "each")
_PER_WORDS = ("every", "each", "per", "pro", "je", "jede", "jeder", "jedes", "jeden", "jedem")


def _per_site(tokens: list[_Token], index: int) -> bool:
    """True when a count of machines is per site: "the 6 largest cooling units in each store" (after the count, before
    the next number), "pro Werk die 5 größten Verbraucher" (just before it); never with "insgesamt"/"in total"."""
    if any(t.word in _TOTAL_WORDS for t in tokens):
        return False
    after = _words_until_number(tokens[index + 1 : index + 7])
    before = _words_until_number(reversed(tokens[max(0, index - 5) : index]))[::-1]
    return _per_site_phrase(after) or _per_site_phrase(before) or _each_after(after)


def _each_after(words: list[str]) -> bool:
    """"2 sites with 5 measuring points each", "3 Hallen, 4 Aggregate jeweils": each after the counted noun."""
    for at, word in enumerate(words[1:4], start=1):
        if word in ("each", "apiece", "jeweils"):
            return words[at + 1 : at + 2] not in (["of"], ["with"], ["one"], ["mit"])
    return False


def _words_until_number(tokens: Iterable[_Token]) -> list[str]:
    """The words of `tokens`, in their order, up to the first number."""
    return [t.word for t in itertools.takewhile(lambda t: t.value is None, tokens)]


def _names_site(word: str) -> bool:
    return _stem_in(word, _SITE_STEMS) or word in ("werk", "plant")  # "pro Werk", "per plant"


def _per_site_phrase(words: list[str]) -> bool:
    """"pro Werk", "per store", "je Filiale", or "in each store", "in jedem Markt" among `words`."""
    for at, word in enumerate(words[:-1]):
        if word in ("per", "pro", "je") and _names_site(words[at + 1]):
            return True
        if word == "in" and words[at + 1] in ("each", "every", "jedem", "jeder") and at + 2 < len(words) and (
                _names_site(words[at + 2])):
            return True
    return False


#: words that say a count is the total, not per site
_TOTAL_WORDS = ("insgesamt", "total", "overall", "gesamt", "zusammen", "altogether")


def _ratio(tokens: list[_Token], index: int) -> bool:
    """True when a count of one stands next to `every`/`pro` (`one sensor per machine`)."""
    return any(t.word in _PER_WORDS for t in tokens[max(0, index - 4) : index + 5])


def _listed(tokens: list[_Token], before: int, index: int) -> bool:
    """True when the count at `index` follows the one at `before` in a list (`4 Waschmaschinen und 3 Trockner`)."""
    between = [t.word for t in tokens[before + 1 : index]]
    joined = any(w in ("und", "and", "plus", "sowie") for w in between)
    return 0 < len(between) <= 3 and (joined or len(between) == 1)  # "3 Öfen, 2 Kühlzellen": comma only


_CENTS = ("ct", "cent", "cents")
#: words after an amount that make it one of our prices, not the visitor's cost
_PLAN_WORDS = ("plan", "tarif", "paket", "package", "abo", "subscription", "option", "version", "tier", "modell")


def _is_unit_price(token: _Token, following: list[str]) -> bool:
    """`25 ct/kWh`, `25 cent pro kWh`, `€0.25 per kWh`: a price per kilowatt hour."""
    if not following:
        return False
    if following[0] in _CENTS:
        return True
    return token.money and following[0] in ("pro", "per", "je", "kwh") and "kwh" in following[:2]


def _is_amount(token: _Token, tokens: list[_Token], index: int, norm: str) -> bool:
    """A sum of money per year: with a currency sign, or `2,100 a year` in a message about costs."""
    if token.value is None or token.value <= 0:
        return False
    if tokens[index + 1 : index + 2] and tokens[index + 1].word in _PLAN_WORDS:
        return False  # "is the €49 plan enough for us?": our price
    if token.money:
        return True
    if 1900 <= token.value <= 2100 and token.raw.isdigit():
        return False  # a year
    after = " ".join(t.word for t in tokens[index + 1 : index + 5])
    if not _COST_WORDS.search(norm):
        return False
    near = token.value >= 100 and _PER_YEAR.search(" " + after)
    return bool(near or (token.value >= 1000 and _PER_YEAR.search(norm)))


def _per_site_total(token: _Token, text: str, sites: int | None) -> Decimal:
    """`20k im Jahr pro Haus` at 3 hotels: 60k in total (when the sites are known in the same message); `2.400 € im
    Monat`: 28.800 € a year."""
    rest = _after_amount(text, token.raw_end)
    value = token.value * 12 if _PER_MONTH.search(rest) else token.value
    if sites and _PER_SITE.search(rest):
        return value * sites
    return value


def _after_amount(text: str, end: int) -> str:
    """What follows an amount, without its currency and "a year" ("€ im Jahr pro Haus" -> "pro haus")."""
    rest = normalize(text[end : end + 50])
    return re.sub(r"^\s*(?:€|euros|euro|eur)?\s*(?:im jahr|pro jahr|per year|a year)?", "", rest)


def per_site(text: str) -> bool:
    """True when the message gives an energy cost per site ("2,400 EUR per site per month", "2.400 € im Monat pro
    Filiale"); a count per site ("2 sensors per site") is none."""
    rests = [_after_amount(text, token.raw_end) for token in _tokens(text) if token.money]
    return any(_PER_SITE.search(rest) or _PER_SITE.search(_PER_MONTH.sub("", rest)) for rest in rests)


def counts_per_site(text: str, count: int) -> bool:
    """True when `count` is said as one per site ("10 measuring points per plant", "je Filiale 4 Kühltruhen"), not as
    the total after it ("one oven per shop so 9 ovens")."""
    tokens = _tokens(text)
    if any(t.word in _TOTAL_WORDS for t in tokens):
        return False  # "10 measuring points in total"
    for index, token in enumerate(tokens):
        if token.value != count or token.money:
            continue
        after = _words_until_number(tokens[index + 1 : index + 7])
        just_before = [t.word for t in tokens[max(0, index - 2) : index]]  # "je Werk 6", not "per shop so 9"
        # a site named ("per plant", "je Filiale"), not "each" alone ("8 points, each on a compressor")
        if _per_site_phrase(after) or _per_site_phrase(just_before) or just_before[-1:] == ["jeweils"]:
            return True
    return False


def with_known_sites(known: Situation, said: Situation, text: str) -> Situation:
    """`said`, with an energy cost per site multiplied by the sites said before ("2,400 EUR per site per month" after
    "we have 12 sites": 345,600 EUR a year), and so a count of machines per site ("say 10 measuring points per plant"
    after "2 plants": 20)."""
    if said.sites or not known.sites:
        return said
    if said.energy_cost_eur is not None and per_site(text):
        said = replace(said, energy_cost_eur=said.energy_cost_eur * known.sites)
    if said.measuring_points and counts_per_site(text, said.measuring_points):
        said = replace(said, measuring_points=said.measuring_points * known.sites)
    return said


def _implied_product(found: Mapping[str, Any], sector: tuple[str, str, str | None] | None) -> str | None:
    """Households: Home; machines and measuring points: Sense; several sites, offices, chains: Business."""
    if sector and sector[1] == "b2c":
        return HOME
    by_sector = sector[2] if sector else None
    machines, sites = found.get("measuring_points"), found.get("sites")
    if machines and machines <= 2 and not (sites or by_sector or found.get("machines_named")):
        return None  # "für beide Zähler", "two meters": a house with a heat-pump meter as much as a machine
    if machines and (not sites or machines > sites or by_sector == SENSE):
        return SENSE  # machines, also across a few plants or halls
    if found.get("individual") and found.get("machines_named") and found.get("seen"):
        return SENSE  # "2 plants, and we want to see compressors and cooling separately": machine by machine
    if found.get("sites"):
        return BUSINESS
    if found.get("employees"):
        return by_sector or BUSINESS  # "metal workshop, 30 people": the sector decides
    if found.get("individual") or (found.get("machines_named") and by_sector in (None, SENSE)):
        return SENSE  # "can you measure each of them separately?", "chillers and AHUs" in a hospital
    if by_sector:
        return by_sector
    if (found.get("energy_cost_eur") or 0) >= BUSINESS_ENERGY_COST_EUR:
        return BUSINESS  # no household pays that much
    return None


def fitting_product(situation: Situation) -> str | None:
    """The product that suits what is known: the one in focus, else the one size and sector imply."""
    if situation.product:
        return situation.product
    if situation.segment == "b2c" and not (situation.sites or 0) > 1 and not situation.measuring_points:
        return HOME  # a household; several sites or machines are a business whatever a keyword suggested
    implied = _implied_product(
        {"sites": situation.sites, "measuring_points": situation.measuring_points,
         "employees": situation.employees},
        next(((s, seg, p) for s, seg, p, _ in SECTORS if s == situation.sector), None),
    )  # fmt: skip
    return implied


_ADDED = re.compile(
    r"(?<![\d.,])(\d+|[a-z]+)\s+(?:more|weitere\w*|zusaetzliche\w*|additional|further|extra|neue\w*|new)\b"
    r"(?!\s+(?:questions?|frage\w*|things?|sache\w*|details?|infos?|informationen|minuten|minutes|tage|days)\b)"
)


#: "add 4 chillers", "plus 2 Filialen": the count before its noun ("noch 3 Filialen" may mean "still 3")
_COUNT = r"(\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b"
_ADDED_BEFORE = re.compile(r"\b(?:add|adding|plus|zusaetzlich)\s+" + _COUNT + r"\s+(\w+)")
#: "4 Kälteanlagen dazunehmen", "3 Maschinen kommen hinzu": the count before its noun, the verb after it
_ADDED_AFTER = re.compile(
    r"(?<![\d.,])\b" + _COUNT + r"\s+(\w+)\s+"
    r"(?:(?:\w+\s+){0,3}(?:dazu|hinzu)(?:kommen|kommt|nehmen|fuegen|bauen|kaufen)\w*|"
    r"(?:kommen|kommt|kaemen|nehmen|nehmt)\s+(?:\w+\s+){0,2}(?:dazu|hinzu)\b)"
)


def _added(text: str) -> tuple[int, str | None, str] | None:
    """How many the message adds, what (`sites`, `measuring_points` or None when the noun does not say), and the
    message without the added count; None when it adds nothing countable ("2 new users", "two more years", "3 neue
    Zimmer")."""
    norm = normalize(text or "")
    for match in [*_ADDED.finditer(norm), *_ADDED_BEFORE.finditer(norm), *_ADDED_AFTER.finditer(norm)]:
        word = match.group(1)
        value = int(word) if word.isdigit() else number_word(word)
        noun_at = match.start(2) if match.re is not _ADDED else match.end()
        following = _WORD.findall(norm[noun_at : noun_at + 40])[:3]
        if match.re is not _ADDED and _noun_kind(following) not in ("sites", "measuring_points"):
            continue  # "noch 2 Fragen", "2 Jahre dazu": only sites and machines, named
        if following and _stem_in(following[0], _EMPLOYEE_STEMS + _ROOM_STEMS + _TIME_STEMS + _ACCESS_STEMS):
            continue
        kind = _noun_kind(following)
        if value and value <= MAX_COUNT:
            return value, kind if kind in ("sites", "measuring_points") else None, norm[: match.start()] + " " + norm[
                match.end() :]  # fmt: skip
    return None


#: what a customer adds that is no site or machine: users, licences, seats, accounts ("We need 5 more licences")
_ACCESS_STEMS = ("user", "nutzer", "lizenz", "licen", "seat", "platz", "plaetze", "account", "zugang", "zugaeng",
                 "login")
_ORDINAL_WORDS = {"zweite": 2, "dritte": 3, "vierte": 4, "fuenfte": 5, "sechste": 6, "siebte": 7, "achte": 8,
                  "neunte": 9, "zehnte": 10, "elfte": 11, "zwoelfte": 12, "second": 2, "third": 3, "fourth": 4,
                  "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11,
                  "twelfth": 12}  # fmt: skip
_ARTICLE = r"\b(?:a|an|another|ne|nen|ein|eine[nr]?|the|die|den|our|unsere?[nr]?)\s+"
_ORDINAL = re.compile(_ARTICLE + r"(\d{1,3})(?:(?:st|nd|rd|th)\b|(\.)(?!\d))(?:\s+(\w+))?|" + _ARTICLE + "("
                      + "|".join(_ORDINAL_WORDS) + r")[nrs]?\b(?:\s+(\w+))?")
#: nouns after an ordinal that count no site or machine
_NOT_UNITS = ("version", "rechnung", "invoice", "adresse", "address", "vertrag", "contract", "mal", "time", "frage",
              "question", "seite", "page", "stock", "floor", "etage", "zahlung", "payment", "termin", "meeting")
#: words that say the ordinal is one more ("wenn ne vierte dazukommt", "if we add a 4th site")
_GROWING = re.compile(r"dazu|hinzu|\badd|\bopen|eroeffn|\bneue|\bnew\b|\bkommt|kaeme|expand|erweiter|grow|wachs")


#: words after a German ordinal with a dot that say it joins ("ein 16. kommt dazu")
_JOINS = ("dazu", "hinzu", "kommt", "kommen", "dazukommt", "hinzukommt")


def _ordinal_total(text: str) -> tuple[int, str | None] | None:
    """The new total a growing ordinal names ("und wenn ne vierte dazukommt?": 4) and what it counts (None: the
    noun does not say); None without one."""
    norm = normalize(text or "")
    match = _ORDINAL.search(norm)
    if match is None or not _GROWING.search(norm):
        return None
    value = int(match.group(1)) if match.group(1) else _ORDINAL_WORDS[match.group(4)]
    noun = match.group(3) or match.group(5)
    kind = _noun_kind([noun]) if noun else None
    if noun and kind is None and _stem_in(noun, _TIME_STEMS + _NOT_UNITS):
        return None  # "ein zweites Jahr", "the second version", "die zweite Rechnung": no site or machine
    if match.group(2) and kind not in ("sites", "measuring_points") and noun not in _JOINS:
        return None  # a German ordinal with a dot counts only with its noun or "dazu": "den 15. März" is a date
    return value, kind if kind in ("sites", "measuring_points") else None


def adds_units(text: str) -> bool:
    """True when the message adds sites or machines ("2 more", "zwei weitere", "a 4th site")."""
    return _added(text) is not None or _ordinal_total(text) is not None


def added_count(text: str) -> int | None:
    """How many the visitor adds to what they said before ("we're opening 3 more next spring", "zwei weitere
    Filialen")."""
    added = _added(text)
    return added[0] if added else None


def growth(known: Situation, said: Situation, text: str) -> tuple[str, int, int] | None:
    """What the message adds ("3 more", "zwei weitere"): the counted kind (`sites` or `measuring_points`), the count
    before and the count added; to the count in the same message ("we run 15 supermarkets and open 2 more") or else
    to the one said before. None: nothing added."""
    found = _added(text)
    if found is None:
        total = _ordinal_total(text)  # "and if we add a 4th site?": one more than the 3 said (before)
        for kind in ("sites", "measuring_points"):
            if total is None or total[1] not in (None, kind):
                continue
            here = getattr(said, kind)
            base = here if here and here < total[0] else getattr(known, kind)
            if base and base < total[0] and here in (None, base, total[0]):
                return kind, base, total[0] - base
        return None
    added, added_kind, rest = found
    kinds = [kind for kind in ("sites", "measuring_points") if added_kind in (None, kind)]  # "2 new stores": sites
    before = extract(rest)  # the message without "5 more": what it says there is already
    for kind in kinds:
        count = getattr(before, kind)
        if count:
            return kind, count, added  # "10 measuring points, and we add 5 more (machines)": 15
    for kind, other in (("sites", "measuring_points"), ("measuring_points", "sites")):
        if kind not in kinds:
            continue
        if getattr(known, kind) and getattr(said, other) is None and getattr(said, kind) in (None, added):
            return kind, getattr(known, kind), added
    return None


def with_added(known: Situation, said: Situation, text: str) -> Situation:
    """`said`, with sites or machines counted on top of the ones said before or in the same message when the message
    adds some ("3 more")."""
    grown = growth(known, said, text)
    if grown is None:
        return said
    kind, before, added = grown
    return replace(said, **{kind: before + added})


def quantity_for(situation: Situation, product_id: str) -> int | None:
    """How many units of the product the visitor needs, as far as known (Home: None, one clip)."""
    if product_id == BUSINESS:
        return situation.sites
    if product_id == SENSE:
        return situation.measuring_points
    return None


def bare_count(text: str) -> int | None:
    """A single count in a follow-up question without a noun (`und für 25?`, `was kostet das für die 8`); a count of
    something else (`für 30 User`, `4 Zimmer`) is none."""
    tokens = _tokens(text or "")
    wholes = []
    for index, token in enumerate(tokens):
        if token.value is None or token.percent or token.money or (token.raw.isdigit() and len(token.raw) == 4):
            continue
        following = [t.word for t in tokens[index + 1 : index + 2] if t.value is None]
        if following and (_stem_in(following[0], _EMPLOYEE_STEMS + _ROOM_STEMS + _TIME_STEMS)):
            continue
        if index and tokens[index - 1].value is None and _stem_in(tokens[index - 1].word, _TIME_STEMS):
            continue  # "in year one", "Jahr 2": a year, not a count
        if following and _ADDED.match(f"1 {following[0]}"):
            continue  # "3 more": added to the known count (with_added), not the count itself
        before = [t.word for t in tokens[max(0, index - 2) : index]]
        if (before and before[-1] in _NEGATIONS) or before == ["instead", "of"]:
            continue  # "nicht 21, sondern 12": the count is the other one
        if token.word == "one" and not _one_as_count(tokens, index):
            continue  # "a setup fee for that one?", "my sister wants one too": a pronoun
        count = _count(token.value)
        if count == 1 and _ratio(tokens, index):
            continue  # "if every machine get one sensor": a ratio
        if count:
            wholes.append(count)
    return wholes[0] if wholes else None


_NEGATIONS = ("not", "nicht", "statt", "anstatt", "ned", "net")
#: a count corrected: "12 not 21", "sorry, 12 statt 21", "nicht 21, sondern 12", "I meant 12"
_CORRECTION = re.compile(
    r"\b\d[\d.,]*\s*,?\s*(?:not|nicht|statt|anstatt|instead of|ned|net)\s+\d|"
    r"\b(?:not|nicht|ned|net)\s+\d[\d.,]*\s*,?\s*(?:sondern|but|aber)?\s*\d|"
    r"\b(?:i meant|meant to say|ich meinte|gemeint war\w*|korrektur|correction)\W+\d",
    re.IGNORECASE,
)


def corrects_count(text: str) -> bool:
    """True when the message corrects a count the visitor gave ("sorry, 12 not 21!", "ich meinte 12")."""
    return bool(_CORRECTION.search(text or ""))


#: words before "one" that make it a count ("and for one?", "just one site")
_BEFORE_ONE = ("for", "only", "just", "with", "of", "at")


def _one_as_count(tokens: list[_Token], index: int) -> bool:
    """True when the word "one" counts ("for one", "one site") rather than stands for a thing ("that one", "wants
    one too")."""
    after = tokens[index + 1 : index + 2]
    if after and after[0].value is None and _noun_kind([after[0].word]) in ("sites", "measuring_points"):
        return True
    return bool(index) and tokens[index - 1].word in _BEFORE_ONE
