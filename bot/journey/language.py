"""Which language a visitor writes in: German or English, by the words they use."""

from __future__ import annotations

import re

from bot.text import words

LANGUAGES = ("de", "en")

# Common words that are clearly one language. Words both languages use ("was", "will",
# "in", "so", "an", "am", "also", "hi", "super", "ok", "team", "demo") are left out on purpose.
_GERMAN = frozenset(
    """
    und oder aber der die das den dem des ein eine einen einem einer eines ist sind bin bist
    war waren wird werden wurde ich du er sie wir ihr mir mich dir dich uns euch ihnen ihre
    ihr euer eure unser unsere unseren unserem mein meine meinen meinem nicht kein keine
    keinen mit fuer von vom zum zur auf aus bei nach ueber unter auch noch schon sehr mehr
    wie wo wann warum welche welcher welches wer wieso weshalb gibt gibts kann koennt
    koennen koennte kannst muss muessen soll sollte sollen moechte moechten moecht wuerde
    wuerden haben habe hast hat hatte mal gerne gern bitte danke dank vielen hallo servus
    gruezi gruess moin hoi salue tschuess ja nein nee doch genau leider etwa wieviel wieviele
    kostet kosten preis euch eurer eurem euren eures dass weil wenn damit dann denn jetzt
    hier dort alles etwas nichts viel viele wirklich einfach gut guten tag morgen abend
    brauche brauchen suche suchen habt seid sei zu im ins dieser diese dieses jemand
    anrufen einverstanden passt klar stimmt richtig toll prima ihrer ihren ihrem
    mochte moglich moeglich ob sich sie sollten waere unterschied zwischen monat jahr ding
    zeug geht gehts funktioniert
    """.split()
)
_ENGLISH = frozenset(
    """
    the a and or but is are were be been being do does did have has had i you he she
    we they me us them my your our their its it this that these those with for from of to
    on at by about into not no yes yeah yep nope please thanks thank hello bye
    goodbye what how where when why which who whom can could would should will shall may
    might must there here more some any just like want need get got looking find show tell
    give send call much many does doesn't don't isn't aren't can't won't i'm you're we're
    it's that's there's what's let me fine sure great good morning evening afternoon
    cheers sounds if then than only very really cost costs price pricing anyone
    someone something anything everything yours ours mine quick diff difference guys sell
    sells buy works working better best one stuff thing things month monthly year yearly
    """.split()
)
_UMLAUT = re.compile(r"[äöüß]", re.IGNORECASE)


def language_scores(text: str) -> tuple[int, int]:
    """How many German and how many English marker words the text has (umlauts add to German)."""
    tokens = words(text)
    german = sum(t in _GERMAN for t in tokens)
    english = sum(t in _ENGLISH for t in tokens)
    if german:  # umlauts back up German words; alone (a name, keyboard mash) they decide nothing
        german += min(2, len(_UMLAUT.findall(text)))
    return german, english


def decided_language(text: str) -> tuple[str | None, int]:
    """The language `text` is clearly written in and by how many marker words, or (None, 0) when undecided.

    A button payload such as `/ask_price{"product": "wattwerk-home"}` is not the visitor's words.
    """
    german, english = (0, 0) if text.lstrip().startswith("/") else language_scores(text)
    if german == english:
        return None, 0
    return ("de" if german > english else "en"), abs(german - english)


def detect_language(text: str, previous: str | None, default: str = "de") -> str:
    """The language of `text`; an undecided text (a name, an e-mail, "ok") keeps `previous`."""
    decided, _ = decided_language(text)
    return decided or (previous if previous in LANGUAGES else default)
