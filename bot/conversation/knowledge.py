"""Retrieval over the editor-owned knowledge entries (data/content/knowledge.yml).

A plain TF-IDF index (scikit-learn, pinned through Rasa) per language: character n-grams within
words (3–5, robust to German compounds and typos) plus words. An entry's score is the best cosine
similarity between the question and its example questions or topic title, plus a small boost for
the product in focus and the visitor's segment. Built once per file version (services.py), never
at import time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot.catalogue.schema import LANGS
from bot.config import PROJECT_ROOT
from bot.content.schemas import GENERAL, KnowledgeEntry, KnowledgeFile, read_knowledge
from bot.conversation.pricing import (
    asks_energy_amount,
    asks_payment_method,
    asks_plain_price,
    asks_price,
    settles_price,
)
from bot.conversation.situation import extract
from bot.text import is_question, normalize, question_part

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix, spmatrix

KNOWLEDGE_FILE = PROJECT_ROOT / "data" / "content" / "knowledge.yml"

#: answer a question that was not understood (nlu_fallback) from the best entry at or above this
ANSWER_THRESHOLD = 0.45
#: action_show_specs answers the asked fact instead of the spec sheet at or above this
OVERRIDE_THRESHOLD = 0.55
#: boosts added to the similarity (0..1)
FOCUS_BOOST = 0.08
#: added to the score of an entry whose keyword the message uses ("Ohne AVV geht nichts")
KEYWORD_BOOST = 0.3
SEGMENT_BOOST = 0.03
#: entries about another product than the one the question names (or the one in focus) count this much
NAMED_OTHER_FACTOR = 0.5
FOCUS_OTHER_FACTOR = 0.8
#: how many nearest topics a fallback offers
NEAREST = 3
#: how much a match with an entry's answer text counts against one with its questions or title
ANSWER_WEIGHT = 0.8
#: how much a shared concept (the knowledge file's `concepts`) adds to the similarity, at most
CONCEPT_WEIGHT = 0.1
#: weight of whole words against character n-grams in the similarity
WORD_WEIGHT = 0.45
#: filler words that say nothing about the topic (both languages); removed before matching
STOP_WORDS = frozenset(
    """
    a an and are as at be but by can could do does for from have how i if in is it its me my of on or
    our so that the then there this to too us we what whats when where which who will with would you your
    also any just ok okay really actually btw tbh time thanks thank please
    aber als also am an auch auf bei bin bitte da das dass dein dem den der des die dies doch du ein eine
    einen einer es eure euer für gibt gibts gibt's hab habe haben hat ich ihr im in ist ja kann man mein
    mich mir mit nen nicht noch oder sich sie sind so und uns unser unsere von was wenn wie wir wird wo zu
    eigentlich denn mal halt überhaupt ungefähr grad gerade jetzt her zeig zeigt
    funktioniert funktionieren funktionierts klappt geht gehts work works working now show
    unterschied unterschiede difference differences between zwischen vs versus
    ding dings dingens thing stuff wäre wären würde würden könnte könnten sollte should
    wattwerk home business sense
""".split()
)
#: product names in a question name the product in focus (their words are not matched as topic words)
PRODUCT_WORDS = {"home": "wattwerk-home", "business": "wattwerk-business", "sense": "wattwerk-sense"}


@dataclass(frozen=True)
class Scored:
    entry: KnowledgeEntry
    score: float


@dataclass(frozen=True)
class Lookup:
    """The best entry when it is good enough, else None; and the nearest topics in any case."""

    best: Scored | None
    nearest: tuple[Scored, ...]


#: a visitor asking us for a recommendation ("was würden Sie empfehlen?", "which plan do you recommend?"), not
#: about recommending us to others: the verb is no topic word then
_ASKS_RECOMMENDATION = re.compile(
    r"\b(?:was|welche\w*|which|what)\b.{0,50}\b(?:empf[ie]\w*|recommend\w*)|"
    r"\b(?:empfehlt ihr|empfehlen sie|empfiehlst du|do you recommend|would you recommend)\b"
)
_RECOMMEND_WORD = re.compile(r"^(?:empf[ie]hl|recommend)")


def _content_words(text: str) -> str:
    """The text in lower case without filler words (so that "was kostet das" does not match everything)."""
    words = re.findall(r"[\w€%+]+", text.lower())
    asks_recommendation = bool(_ASKS_RECOMMENDATION.search(text.lower()))
    return " ".join(w for w in words
                    if w not in STOP_WORDS and not (asks_recommendation and _RECOMMEND_WORD.match(w)))  # fmt: skip


def _term(word: str) -> str:
    """A concept's word as a pattern: whole, or as the beginning of a word when it ends with *."""
    if word.endswith("*"):
        return re.escape(normalize(word[:-1]))
    return re.escape(normalize(word)) + r"(?!\w)"


class Concepts:
    """The knowledge file's concepts: a text that uses a word of a group gets the group's token ("zzcancel") added,
    so that "how do I get out of it" and "Wie kündige ich?" share a term. A word matches whole, or as a word's
    beginning when it ends with *."""

    def __init__(self, groups: Mapping[str, list[str]]) -> None:
        self._patterns = [
            ("zz" + re.sub(r"\W", "", name), re.compile(r"(?<!\w)(?:" + "|".join(map(_term, words)) + ")"))
            for name, words in groups.items()
        ]

    @property
    def names(self) -> list[str]:
        return [token for token, _ in self._patterns]

    def tokens(self, text: str) -> list[str]:
        norm = normalize(text)
        return [token for token, pattern in self._patterns if pattern.search(norm)]

    def content_words(self, text: str) -> str:
        """`_content_words` with the tokens of the concepts the text uses."""
        return " ".join([_content_words(text), *self.tokens(text)])


def topic_words(text: str) -> list[str]:
    """The words of a question that say what it is about (lower case, filler words removed)."""
    return _content_words(text).split()


class _LanguageIndex:
    # scikit-learn and SciPy are imported here, when an index is built, not with this module: the web app
    # and the worker import it without ever searching, and the libraries cost each process about 50 MB.
    def __init__(self, entries: list[KnowledgeEntry], language: str, concepts: Concepts) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts: list[str] = []
        owners: list[int] = []
        weights: list[float] = []
        for position, entry in enumerate(entries):
            for text in [entry.title.get(language), *entry.questions.get(language)]:
                texts.append(text)
                owners.append(position)
                weights.append(1.0)
            texts.append(entry.answer.get(language))  # its words help a question asked in other words
            owners.append(position)
            weights.append(ANSWER_WEIGHT)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), preprocessor=_content_words,
                                      strip_accents="unicode", sublinear_tf=True)  # fmt: skip
        self._words = TfidfVectorizer(analyzer="word", preprocessor=_content_words, strip_accents="unicode",
                                      sublinear_tf=True)  # fmt: skip
        self._matrix = self._features(texts, fit=True).multiply(np.array(weights)[:, None]).tocsr()
        self._concepts = concepts
        self._concept_matrix = self._concept_features(texts).multiply(np.array(weights)[:, None]).tocsr()
        self._owners = np.array(owners)
        self._size = len(entries)

    def _concept_features(self, texts: list[str]) -> csr_matrix:
        """Per text, the concepts it uses (unit length): kept apart from the words, so that a question that uses
        none is compared exactly as without concepts."""
        from scipy.sparse import csr_matrix as sparse

        columns = {token: i for i, token in enumerate(self._concepts.names)}
        rows = np.zeros((len(texts), max(1, len(columns))))
        for row, text in enumerate(texts):
            for token in self._concepts.tokens(text):
                rows[row, columns[token]] = 1.0
        return self._normalised(sparse(rows))

    def _features(self, texts: list[str], fit: bool = False) -> csr_matrix:
        from scipy.sparse import hstack

        chars = self._chars.fit_transform(texts) if fit else self._chars.transform(texts)
        words = self._words.fit_transform(texts) if fit else self._words.transform(texts)
        return self._normalised(hstack([chars * (1 - WORD_WEIGHT), words * WORD_WEIGHT]))

    @staticmethod
    def _normalised(matrix: spmatrix) -> csr_matrix:
        matrix = matrix.tocsr()
        norms = np.sqrt(matrix.multiply(matrix).sum(axis=1)).A1
        norms[norms == 0] = 1.0
        return matrix.multiply(1 / norms[:, None]).tocsr()

    def scores(self, text: str, concepts_count: bool = True) -> np.ndarray:
        """The best similarity per entry (0..1); `concepts_count` False: without the concepts."""
        query = self._features([text])
        similarities = (self._matrix @ query.T).toarray().ravel()
        concepts = self._concept_features([text]) if concepts_count else None
        if concepts is not None and concepts.nnz:  # a shared concept ("get out of", "kündigen") adds to the similarity
            similarities += CONCEPT_WEIGHT * (self._concept_matrix @ concepts.T).toarray().ravel()
        best = np.zeros(self._size)
        np.maximum.at(best, self._owners, similarities)
        return best


class KnowledgeIndex:
    """The knowledge entries and a retrieval index per language."""

    def __init__(self, knowledge: KnowledgeFile) -> None:
        self.knowledge = knowledge
        self.entries: list[KnowledgeEntry] = list(knowledge.entries)
        self._by_id = {entry.id: entry for entry in self.entries}
        self.concepts = Concepts(knowledge.concepts)
        self._indexes = {language: _LanguageIndex(self.entries, language, self.concepts) for language in LANGS}
        #: a process asks about the same message several times (the router: price, reroute; an action: its answer,
        #: a second answer, the nearest topics)
        self._scores = functools.lru_cache(maxsize=256)(self._similarities)
        self._keywords = {entry.id: [re.compile(rf"(?<!\w){re.escape(normalize(k))}(?!\w)") for k in entry.keywords]
                          for entry in self.entries}  # fmt: skip
        self._vocabulary = {
            entry.id: self.concepts.content_words(" ".join(
                text for lang in LANGS
                for text in [entry.title.get(lang), entry.answer.get(lang), *entry.questions.get(lang)]
            ))
            for entry in self.entries
        }  # fmt: skip

    def coverage(self, entry: KnowledgeEntry, text: str, strict: bool = False, concepts: bool = True) -> float:
        """The share of the question's topic words (their first five letters) that occur in the entry's texts:
        "payback period?" shares only "period" with the trial entry (0.5); a concept the question uses counts as a
        word (unless not `concepts`). Questions with more than COVERAGE_WORDS topic words count as covered, unless
        `strict`."""
        words = set((self.concepts.content_words if concepts else _content_words)(text).split())
        if not words:
            return 0.0
        if len(words) > COVERAGE_WORDS and not strict:
            return 1.0  # in a longer question several words decide the similarity, not one
        vocabulary = self._vocabulary.get(entry.id, "")
        return sum(1 for word in words if word[:5] in vocabulary) / len(words)

    def shares_word(self, entry: KnowledgeEntry, text: str) -> bool:
        """True when a topic word of the text of four letters or more begins a word of the entry's texts (compared by
        their first five letters, in lower case: "Montage" and "montieren" do not, "Umzug" and "umziehen" do not,
        "history" and "History" do)."""
        vocabulary = self._vocabulary.get(entry.id, "").split()
        return any(any(known.startswith(word[:5]) for known in vocabulary)
                   for word in _content_words(text).split() if len(word) >= 4)  # fmt: skip

    def _similarities(self, text: str, languages: tuple[str, ...], whole: bool, concepts: bool) -> np.ndarray:
        """Per entry, the best similarity with the message or its question part (only the message: `whole`)."""
        asked = [text] if whole else queries(text)
        scores = np.max([self._indexes[lang].scores(query, concepts) for lang in languages for query in asked], axis=0)
        scores.setflags(write=False)  # cached: shared by every caller
        return scores

    def entry(self, entry_id: str | None) -> KnowledgeEntry | None:
        return self._by_id.get(entry_id or "")

    def keyword_entries(self, text: str) -> frozenset[str]:
        """The ids of the entries one of whose keywords the message uses."""
        norm = normalize(text or "")
        return frozenset(entry_id for entry_id, patterns in self._keywords.items()
                         if any(p.search(norm) for p in patterns))  # fmt: skip

    def rank(
        self,
        text: str,
        language: str | None = None,
        focus: str | None = None,
        segment_products: Iterable[str] = (),
        whole: bool = False,
        keywords: bool = False,
        concepts: bool = True,
    ) -> list[Scored]:
        """Every entry with its score, best first; `language` None compares with both languages; `whole`: the whole
        message only, not its question part on its own; `keywords`: an entry whose keyword the message uses gets
        KEYWORD_BOOST (answers; the router's readings keep the plain scores)."""
        languages = [language] if language in LANGS else list(LANGS)
        named = named_product(text)
        focus = named or focus
        raw = self._scores(text, tuple(languages), whole, concepts)
        segment = set(segment_products)
        keyed = self.keyword_entries(text) if keywords else frozenset()
        scored = []
        for entry, score in zip(self.entries, raw, strict=True):
            if entry.id in keyed:
                score += KEYWORD_BOOST
            if focus and entry.product not in (focus, GENERAL):
                score *= NAMED_OTHER_FACTOR if named else FOCUS_OTHER_FACTOR
            if score > 0 and focus and entry.product == focus:
                score += FOCUS_BOOST
            elif score > 0 and entry.product in segment:
                score += SEGMENT_BOOST
            scored.append(Scored(entry, float(score)))
        return _focus_first(sorted(scored, key=lambda s: s.score, reverse=True), focus)

    def lookup(
        self,
        text: str,
        language: str | None = None,
        focus: str | None = None,
        segment_products: Iterable[str] = (),
        threshold: float = ANSWER_THRESHOLD,
    ) -> Lookup:
        ranked = self.rank(text, language, focus, segment_products, keywords=True)
        best = ranked[0] if ranked and ranked[0].score >= threshold else None
        nearest = tuple(_distinct_topics(ranked, focus))[:NEAREST]
        return Lookup(best, nearest)


#: the question part of a longer message is matched on its own when it has at least this many topic words
CLAUSE_WORDS = 3


def queries(text: str) -> list[str]:
    """The message, and its question part on its own ("how accurate are your sensors really? cheap clamps we tried
    were way off": the question, without the statement around it)."""
    asked = question_part(text)
    if asked is None or asked == text.strip() or len(topic_words(asked)) < CLAUSE_WORDS:
        return [text]
    return [text, asked]


#: the product in focus has its own entry on the best entry's topic that fits at least this share as well: it answers
FOCUS_TOPIC_SHARE = 0.75


def _topic(entry: KnowledgeEntry) -> str:
    """An entry's topic without its product ("home-installation" and "sense-installation": "installation")."""
    return entry.id.split("-", 1)[-1] if entry.product != GENERAL else entry.id


def _focus_first(ranked: list[Scored], focus: str | None) -> list[Scored]:
    """`ranked`, with the focus product's entry on the best entry's topic first ("Muss das ein Fachmann einbauen?"
    about Sense: Sense's installation, not Home's)."""
    if not ranked or not focus or ranked[0].entry.product in (focus, GENERAL):
        return ranked
    topic = _topic(ranked[0].entry)
    own = next((s for s in ranked if s.entry.product == focus and _topic(s.entry) == topic), None)
    if own is None or own.score < FOCUS_TOPIC_SHARE * ranked[0].score:
        return ranked
    return [own, *(s for s in ranked if s is not own)]


def _distinct_topics(ranked: list[Scored], focus: str | None) -> Iterable[Scored]:
    """Nearest topics, skipping an entry whose topic another product's entry already offers
    (the product in focus, or the first seen, wins)."""
    seen: set[str] = set()
    for scored in ranked:
        topic = _topic(scored.entry)
        if topic in seen:
            continue
        seen.add(topic)
        yield scored


#: the entry that tells our products apart, for "what's the difference between Home and Business?"
OVERVIEW_ENTRY = "products-overview"
#: the entry that says where the data is kept, for every product: a hosting question needs no product to be answered
HOSTING_ENTRY = "data-location"
_TELL_APART = re.compile(r"unterschied|unterscheid|difference|differ|\bvs\.?\b|versus|\boder\b|\bor\b|vergleich|"
                         r"compar|welche\w*|which|statt|instead|reicht|enough|brauch|need", re.IGNORECASE)


_NOT_PRODUCT = re.compile(r"\b(?:make|makes|made|making|any|no|common|good)\s+sense\b|\bat home\b|\bfrom home\b",
                          re.IGNORECASE)  # fmt: skip


def compares_products(text: str) -> bool:
    """True when the message names two or more of our products and asks which or how they differ ("does it make
    sense …" names no product)."""
    named = {PRODUCT_WORDS[w] for w in re.findall(r"\w+", _NOT_PRODUCT.sub(" ", text.lower())) if w in PRODUCT_WORDS}
    return len(named) >= 2 and bool(_TELL_APART.search(text))


def named_product(text: str) -> str | None:
    """The catalogue id of the one product the question names (Home, Business, Sense), if exactly one."""
    named = {PRODUCT_WORDS[w] for w in re.findall(r"\w+", text.lower()) if w in PRODUCT_WORDS}
    return named.pop() if len(named) == 1 else None


def load_index(path: Path = KNOWLEDGE_FILE) -> KnowledgeIndex:
    """Reads, checks and indexes a knowledge file (ContentError, a ValueError, when it is broken)."""
    return KnowledgeIndex(read_knowledge(path))


def segment_products(segment: str | None, products: Mapping[str, str]) -> frozenset[str]:
    """The catalogue ids whose segment (b2b/b2c) is the visitor's."""
    return frozenset(pid for pid, product_segment in products.items() if segment and product_segment == segment)


# ------------------------------------------------------------------------------- routing

#: the intent of a question answered from a knowledge entry (button payload: /ask_topic{"topic": "<id>"})
TOPIC_INTENT = "ask_topic"
FALLBACK_INTENT = "nlu_fallback"
PRICE_INTENT = "ask_price"
COSTS_INTENT = "ask_tco"
#: intents a price question may carry that only the price answer suits (it works out the known size)
PRICE_OVERRIDABLE = frozenset(
    {FALLBACK_INTENT, "ask_features", "ask_what_is", "inform_source", "chitchat", "ask_specs"}
)


#: per intent, how well an entry must fit to replace its standard answer while the classifier is not
#: sure of it (below MAX_INTENT_CONFIDENCE); checked against the NLU test set (`make nlu-test`) and
#: the answer sets (`make eval-answers`)
INTENT_THRESHOLDS = {
    "ask_billing": 0.7, "ask_delivery": 0.6, "ask_features": 0.65, "ask_guarantee": 0.7, "ask_price": 0.72,
    "ask_renewal": 0.6, "ask_support": 0.65, "chitchat": 0.6, "express_doubt": 0.6, "order": 0.6,
    "out_of_scope": 0.6, "praise": 0.6,
}  # fmt: skip
#: the threshold of the other intents with a generic answer
DEFAULT_THRESHOLD = 0.6
#: a guess the classifier is this unsure about yields to an entry that fits at least UNSURE_THRESHOLD
UNSURE_CONFIDENCE = 0.5
UNSURE_THRESHOLD = 0.5
#: an intent the classifier is this sure about keeps its answer, unless an entry fits at least
#: CONFIDENT_OVERRIDE and about as well as the classifier is sure (CONFIDENT_MARGIN): the classifier
#: knows no knowledge topic, so a confident guess on an unfamiliar question is often a neighbour
MAX_INTENT_CONFIDENCE = 0.8
CONFIDENT_OVERRIDE = 0.65
CONFIDENT_MARGIN = 0.1
#: ... and an entry that fits at least this well answers however sure the classifier is ("minimum contract term,
#: notice period?" read as the guarantee with 1.00 fits the contract entry at 0.82)
CONFIDENT_CAP = 0.8
#: requests of existing customers (support, invoices, renewal, delivery, ordering): their answer leads to the
#: customer area or support, so a confident reading of one is kept
CUSTOMER_INTENTS = frozenset({"ask_support", "ask_billing", "ask_renewal", "ask_delivery", "order"})
#: intents for statements (praise, doubt, goodbye): a question read as one of them yields to an
#: entry that fits at ANSWER_THRESHOLD, however sure the classifier is ("wann ist euer Support erreichbar?" is no
#: praise; "Wo kann ich euch bewerten?" finds the entry that belongs to praise and stays praise)
STATEMENT_INTENTS = frozenset({"praise", "express_doubt", "goodbye"})
#: readings whose answer is generic enough that the knowledge file's concepts count in rerouting them (besides unsure,
#: untrusted and statement readings)
CONCEPT_INTENTS = frozenset({FALLBACK_INTENT, "ask_features", "out_of_scope", "chitchat"})
#: a reading without its cue word (INTENT_CUES) yields to an entry that fits at least this well
UNTRUSTED_THRESHOLD = 0.4
#: an entry that fits an unsure reading's question at least this well needs no coverage check
#: ("und wenn der Messstellenbetreiber mir nen neuen einbaut?" shares one long, specific word with it)
CLEAR_FIT = 0.6
#: a rerouted question must share more than this share of its topic words with the entry (KnowledgeIndex.coverage)
MIN_COVERAGE = 0.5
#: ... when it has at most this many topic words
COVERAGE_WORDS = 3
#: intents answered by action_show_specs (a spec dump): it answers from a clearly fitting entry itself
SPEC_INTENTS = frozenset({"ask_specs", "ask_hosting", "ask_integrations"})
#: intents whose answer is never replaced: conversation moves, contact details, the situation
#: (action_answer_situation adds a fitting entry itself), source tracking and topic buttons
KEEP_INTENTS = frozenset({
    "greet", "thank", "affirm", "deny", "stop", "inform_contact", "inform_situation", "inform_source",
    "request_contact", "request_live", "request_meeting", "page_view", TOPIC_INTENT,
}) | SPEC_INTENTS  # fmt: skip


#: readings whose answer says nothing about a topic the message names by one of its keywords ("Ohne AVV geht bei uns
#: gar nichts" is no request for boss material); customers' requests, prices, conversation moves and the spec,
#: feature and guarantee answers (which pick a fitting entry themselves) keep theirs
KEYWORD_OVERRIDABLE = frozenset({
    FALLBACK_INTENT, "ask_boss_material", "ask_what_is", "ask_reviews", "ask_comparison", "express_doubt", "praise",
    "chitchat", "out_of_scope", "order", "ask_video", "ask_referral", "inform_source", "goodbye", "greet", "thank",
})  # fmt: skip


#: a follow-up has at most this many topic words: one that fits no entry is read together with the previous message
#: (and one after a request continues it, bot.conversation.questions.continued_request)
CONTEXT_WORDS = 4


def in_context_entry(index: KnowledgeIndex, text: str, previous: str | None) -> Scored | None:
    """The entry for a short follow-up that alone fits none ("do I keep my history?", "wie lang brauch ich da
    dafür"), read together with the visitor's previous message, when it fits at ANSWER_THRESHOLD and shares a word
    with the follow-up; None otherwise."""
    if not previous or not (is_question(text) or _WHAT_NOW.search(text)) or len(topic_words(text)) > CONTEXT_WORDS:
        return None
    ranked = index.rank(f"{previous} {text}", whole=True)
    if not ranked or ranked[0].score < ANSWER_THRESHOLD:
        return None
    # the follow-up itself must share a word with the entry ("schade, gibts was anderes?" is no question about it),
    # or ask what to do now that the answer was no ("ugh, so what do I do then" after the 5 GHz question)
    return ranked[0] if index.shares_word(ranked[0].entry, text) or _WHAT_NOW.search(text) else None


#: asking what to do after a "no" ("so what do I do then", "was mach ich dann?", "what are my options")
_WHAT_NOW = re.compile(
    r"\bwhat (?:do|can|should) (?:i|we) do(?: then| now| instead)?\b|\bwhat are (?:my|our) options\b|"
    r"\bwas (?:mach|tu|kann|soll)\w* (?:ich|wir|man) (?:da|dann|jetzt|nun|stattdessen)\b|"
    r"\bwie l(?:ö|oe)s\w* (?:ich|wir|man) das\b",
    re.IGNORECASE,
)


def keyword_answer(index: KnowledgeIndex, text: str, intent: str | None) -> Scored | None:
    """The entry a keyword of the message names ("AVV", "LoRaWAN") when it is also the best entry and `intent`'s
    own answer does not cover it; None otherwise."""
    keyed = index.keyword_entries(text) if intent in KEYWORD_OVERRIDABLE else frozenset()
    if not keyed:
        return None
    ranked = index.rank(text, whole=True, keywords=True, concepts=False)
    if not ranked or ranked[0].entry.id not in keyed or intent in ranked[0].entry.intents:
        return None
    return ranked[0]


#: intents whose answer starts a calculation, with the words that must be in a message to mean them: the classifier
#: reads "wie schnell wär das Teil da?" or "am I stuck with it for a year?" as a payback question for their
#: shape; without one of these words such a reading is not trusted (`lacks_cue`)
INTENT_CUES = {
    # a parcel: "could I just stick home clips in my 3 shops instead of paying for business?" is none
    "ask_delivery": re.compile(
        r"liefer|versand|versend|verschick|geschickt|paket|p(?:ä|ae)ckli|sendung|tracking|track|zustell|\bdhl|\bdpd|"
        r"\bups\b|hermes|\bpost|packstation|zoll|customs|deliver|\bship|sent|send|parcel|package|courier|kurier|"
        r"arriv|ankomm|angekommen|\bkommt|\bcame\b|\bcome|bestell|order|carrier|address|adresse|warte|wait|\bwann|"
        r"\bwhen|how fast|how long|how soon|wie lange|wie schnell|wo bleibt|where|\bwo\b|missing|fehl|falsch|wrong|"
        r"\bbox|karton|besch(?:ä|ae)digt|damag|verp(?:a|ä|ae)ck|\bstuff|zeug|eingetroffen|received|recieved|"
        r"erhalten|bekommen|gekriegt|got\b|\bda\b|schon unterwegs|on its way|status|dispatch|unterwegs|noch nicht|"
        r"not yet|still|immer noch|nothing|\bkam\b|delivr|delay|versp(?:ä|ae)t|verz(?:ö|oe)ger|unterw(?:ä|ae)g|bstell",
        re.IGNORECASE,
    ),
    "ask_roi": re.compile(
        r"lohn|rechne|rentab|rentier|amorti|\broi\b|return|pay ?back|(?:pays?|paid) (?:for )?(?:it|itself|off)|"
        r"(?:paid|earned) back|(?:pays?|earns?) (?:it|itself|that) back|"
        r"bezahlt|zahlt sich|worth|\bwert\b|spar|\bsave|saving|ersparnis|bringt|bringen|benefit|nutzen|gain|"
        r"rendite|break.?even|invest|recoup|financ|angelegt|money back|zurück|reinhol|wieder drin|earn|verdien|profit|"
        r"wirtschaftlich|\bbills?\b|rechnung|wieder raus|im plus|in the black",
        re.IGNORECASE,
    ),
    # conversation moves: "und jetzt?", "and if it stays off?" or "clip is nach nem jahr kaputt" stop nothing and
    # refuse nothing; a refusal is no question and says no
    "deny": re.compile(
        r"^(?![^?]*\?)(?=.*\b(?:nein|nei|nee|ne|n(?:ö|oe)+|na|nah|no+|nope|nop|nicht|ned|net|kein\w*|not|never|"
        r"negativ\w*|falsch|wrong|incorrect|pass|verzicht\w*|rather|don'?t|later|sp(?:ä|ae)ter)\b)",
        re.IGNORECASE | re.DOTALL,
    ),
    # "modbus tcp ok?" asks something; a yes has no question mark or starts with the yes ("Ja, warum nicht?")
    "affirm": re.compile(
        r"^(?![^?]*\?)|^\W*(?:ja|jo|jep|yes|yep|yeah|ok|okay|sure|klar|gerne?|natürlich|of course|absolutely|"
        r"warum nicht|wieso nicht|why not|really|echt|wirklich)\b",
        re.IGNORECASE,
    ),
    "stop": re.compile(
        r"abbr|abbruch|stop|cancel|cancle|never ?mind|vergiss|forget|h(?:ö|oe)r\b[^.?!]*\bauf\b|aufh(?:ö|oe)r|"
        r"schluss|genug|gnueg|enough|beend|\blass|quit|abort|exit|\bhalt\b|\bdrop|leave it|\bend\b|no more|anymore|"
        r"nicht mehr|keine weiteren|nicht weiter|continue|break off|get me out|bock|reicht|formular|\bform\b|"
        r"frag|question|ask|fill (?:this|it|that) in|ausf(?:ü|ue)ll",
        re.IGNORECASE,
    ),
    "ask_voucher": re.compile(
        r"gutsch|voucher|coupon|promo|code|rabatt|discount|aktion|neukunde|new customer|willkommen|welcome|"
        r"first (?:order|purchase|time)|erste\w* (?:bestellung|kauf)|erstbestell|geschenk|gift|gratis|free|kostenlos|"
        r"sale\b|angebot|offer|deal|vouchr|gutschien|spar|save|cheaper|günstiger|billiger",
        re.IGNORECASE,
    ),
    "ask_discount": re.compile(
        r"rabatt|discount|nachlass|skonto|g(?:ü|ue)nstiger|cheaper|deal|mengen|volume|bulk|staffel|j(?:ä|ae)hrlich|"
        r"annual|yearly|jahres|zahl|pay|rechnung|r(?:ä|ae)chnig|invoice|raten|rates?\b|instal|kondition|condition|"
        r"terms|verhandel|negotia|sonderpreis|special|non.?profit|ngo|gemeinn|startup|bildung|education|academic|"
        r"universit|schul|school|student|preis|price|pricing|%|prozent|angebot|offer|quartal|quarter|kreditkarte|card|"
        r"paypal|sepa|twint|apple ?pay|google ?pay|klarna|(?:ü|ue)berweis|transfer|lastschrift|debit|account|rahmen|"
        r"framework|franchise|tier|stufe|leasing|"
        r"financ|finanz|vorkasse|upfront|voraus|billing|abrechn|spar|save|cost|kost|teuer|expensive|billiger|less|"
        r"weniger|reduz|reduc|budget|bezahl|purchase|einkauf|procure|beschaff|(?:ö|oe)ffentlich|public|beh(?:ö|oe)rde|"
        r"kommun|municipal|verein|charity|kirche|church|order|bestell|\d",
        re.IGNORECASE,
    ),
    # customers' requests: a prospect's "16 locations, which plan is for us?" or a tenant's "is my landlord going to
    # be annoyed?" is neither a change of an existing contract nor a question about an invoice
    "ask_renewal": re.compile(
        r"verl(?:ä|ae|a)nger|renew|k(?:ü|ue|u)ndig|cancel|vertrag|contract|lizenz|licen|upgrade|downgrade|wechs|"
        r"switch|change|(?:ä|ae)nder|\babo|subscri|laufzeit|\bterm|seats?\b|pl(?:ä|ae)tze|weitere|zus(?:ä|ae)tzlich|"
        r"\bmore\b|\badd|hinzu|dazu|erweiter|extend|expand|kundenbereich|account|konto|ausbau|aufstock|scale|ablauf|"
        r"expir|auslauf|\bends?\b|endet|modul|freischalt|unlock|aktivier|activat|neue|\bnew\b|another|"
        r"noch (?:ein|zwei|drei|\d)|increase|erh(?:ö|oe)h|reduc|reduzier|fewer|weniger|remove|entfern|pause|stop|"
        r"beend|bestehend|existing|current|aktuell|already|schon|bereits|\bmove|\bvom\b[^.?!]*\bin den\b|dezue|"
        r"zur(?:ü|ue)ck (?:auf|zu)|back to|"
        r"\bfrom\b[^.?!]*\bto\b|(?:our|my|unser\w*|mein\w*) (?:tarif|plan|paket)",
        re.IGNORECASE,
    ),
    "ask_support": re.compile(
        r"problem|issue|error|fehler|funktionier|not working|n.?t work|geht nicht|kaputt|broken|defekt|hilfe|help|"
        r"support|offline|daten|data|login|log in|einlog|sign in|anmeld|passwort|password|reset|verbind|connect|"
        r"st(?:ü|ue)rz|crash|\bapp\b|update|aktualis|zeigt|shows?\b|falsch|wrong|install|einricht|set ?up|einstell|"
        r"setting|konto|account|reklam|complain|beschwer|tausch|replac|anleitung|manual|how do i|wie kann ich|"
        r"wie mache ich|wie geht|klappt|reagiert|respond|blink|\bled\b|leuchte|akku|batter|wlan|wifi|wi-fi|signal|"
        r"empfang|sync|fehlt|missing|\bleer|empty|spinnt|h(?:ä|ae)ngt|hang|freez|l(?:ä|ae)dt|\bload|stimmt|kontakt|"
        r"contact|erreich|reach|ticket|anruf|\bcall|mail|chat|hotline|nutzer|user|zugang|access|rechte|berechtig|"
        r"permission|dashboard|bericht|report|export|import|alarm|meldung|benachricht|arriv|ankomm|sensor|clip|"
        r"z(?:ä|ae)hler|meter|ger(?:ä|ae)t|device|gateway|\bnicht\b|\bnot\b|n't|\bkein|\bnull\b|\bzero\b",
        re.IGNORECASE,
    ),
    # a guarantee, trial, term or proof: "can it warn me if it runs at night?" is none (warn is no warranty)
    "ask_guarantee": re.compile(
        r"garant|gew(?:ä|ae)hr|warr?[ae]nt|guarant|\btest|trial|triall|probe|probier|pilot|r(?:ü|ue)ck|\bback|"
        r"return|refund|erstatt|withdraw|widerruf|k(?:ü|ue)ndig|cancel|gebunden|bindung|commit|festleg|aussteig|"
        r"vertrag|contract|laufzeit|\bterm|notice|frist|zertifi|certif|t(?:ü|ue)v|\bvde\b|\bce\b|siegel|seal|"
        r"pr(?:ü|ue)f|stud|beleg|prove|proof|nachweis|sicher|\bsure|risk|risiko|verbindlich|satisf|zufrieden|"
        r"gef(?:ä|ae)llt|"
        r"like it|happy|funktion|\bwork|klapp|defekt|defect|break|kaputt|\bcover|\blab\b|independent|"
        r"unabh(?:ä|ae)ngig|warentest|qualit|\bfree\b|gratis|kostenlos|ausprobier|teste|\btry\b|umtausch|exchange|"
        r"replac|ersatz|"
        r"\bpay\b|money|geld",
        re.IGNORECASE,
    ),
    # someone else decides, or material to pass on: "not sure of the model" about the visitor's own meter is neither
    "ask_boss_material": re.compile(
        r"chef|boss|gesch(?:ä|ae)ft|gsch(?:ä|ae)ft|vorstand|\bc[efit]o\b|manag|leitung|leitig|f(?:ü|ue)hrung|inhaber|"
        r"owner|board|\bexec|director|direktor|leadership|head office|superior|supervisor|vorgesetzt|\bmann\b|"
        r"\bfrau\b|wife|husband|partner|gesellschafter|vater|\bpapa|\bdad|mutter|\bmama|\bmom|\bmum|eltern|"
        r"parents|vermieter|landlord|hausverwalt|kolleg|colleague|\bteam|einkauf|procure|purchas|gemeinderat|council|"
        r"mayor|b(?:ü|ue)rgermeister|aufsichtsrat|betriebsrat|verwaltung|entscheid|decide|decision|decission|approv|"
        r"freigabe|freigeb|zustimm|sign.?off|\boben\b|intern|one.?pager|summary|zusammenfass|\bpdf|folie|slide|"
        r"\bdeck\b|pr(?:ä|ae)sent|pr(?:ä|ae)si|factsheet|fact sheet|info ?sheet|infomaterial|brosch(?:ü|ue)re|"
        r"brochure|unterlage|material|dokument|document|schriftlich|writing|argument|(?:ü|ue)berzeug|convinc|pitch|"
        r"weiterleit|weitergeb|weiterschick|forward|\bshare|zeig|\bshow|vorleg|print|beschreib|overview|"
        r"(?:ü|ue)bersicht|fakten|facts|sell (?:this|it)|verkaufen|for (?:him|her|them)|f(?:ü|ue)r (?:ihn|sie|die)|"
        r"tell (?:him|her|them)|finanz|financ|budget|collect|sammel|rum\b|round\b|\bsend|schick|pass (?:it |this )?"
        r"(?:along|on)|weiter",
        re.IGNORECASE,
    ),
    "ask_billing": re.compile(
        r"rechnung|invoice|bill|abrechn|zahl|pay|paid|lastschrift|debit|charge|abgebucht|abbuch|belast|betrag|amount|"
        r"gutschrift|refund|erstatt|mahn|dunning|reminder|kundennummer|\bust\b|vat|mwst|steuer|tax|receipt|beleg|"
        r"quittung|kost|cost|preis|price|geld|money|konto|account|kreditkarte|card|paypal|sepa|(?:ü|ue|u)berweis|"
        r"transfer|euro|€|doppelt|twice|double|falsch|wrong|adresse|address|bank|iban|f(?:ä|ae)llig|\bdue\b|summe",
        re.IGNORECASE,
    ),
}


#: intents with an answer of their own that a plain price question ("which plan?", "was kostet das?") is taken for
#: when the classifier is not sure: their answers name no price
PLAIN_PRICE_INTENTS = frozenset({"ask_guarantee", "ask_comparison", "ask_reviews", "ask_boss_material", "ask_video",
                                 "express_doubt", "praise", "ask_referral"})
BILLING_INTENT = "ask_billing"
#: words that ask for an amount ("was kostet das einmalig?", "how much is the one-off"), unlike "Rechnung per Post?"
_ASKS_AN_AMOUNT = re.compile(
    r"\bwas kostet|\bwie ?viel kostet|\bhow much (?:is|does|would|will)|"
    r"\bwhat (?:does|would|will) (?:it|that|this|\w+) cost",
    re.IGNORECASE,
)
#: an existing customer's invoice ("warum kostet meine Rechnung mehr?", "how much was I charged twice?")
_BILLING_ISSUE = re.compile(
    r"abgebucht|gebucht|belastet|charged|meine[rn]? (?:letzte[nr]? )?rechnung|my (?:last |latest )?(?:invoice|bill)|"
    r"doppelt|twice|erstatt|refund|gutschrift|mahnung|reminder|zu viel|too much",
    re.IGNORECASE,
)
#: customers' requests that a price question with a size ("we have 10 points and add 5, what's the cost?") is read as
SIZE_PRICE_INTENTS = frozenset({"ask_renewal", "order"})


def _states_size(text: str) -> bool:
    said = extract(text)
    return bool(said.sites or said.measuring_points)


#: words that take leave
_FAREWELL = re.compile(
    r"tsch(?:ü|ue)ss|ciao|\bbye\b|wiederseh|servus|\bbaba\b|pfiat|adieu|see you|\bcya\b|good ?night|gute nacht|"
    r"sch(?:ö|oe)nen (?:tag|abend)|das war'?s\b|that'?s all\W*$",
    re.IGNORECASE,
)
#: a package that is a plan ("which package", "das kleinste Paket", "Paket für 4 Standorte")
_PACKAGE_AS_PLAN = re.compile(
    r"\b(?:which|what|the (?:smallest|biggest|cheapest|right)|welche[sn]?|(?:im |das |dem )?"
    r"(?:kleinste|gr(?:ö|oe)(?:ß|ss)te|g(?:ü|ue)nstigste|passende|richtige)[nms]?) (?:package|paket)\b"
    r"(?!\s+(?:carrier|service|tracking|delivery|company|dienst|zustell|versand|nummer|number))",
    re.IGNORECASE,
)


def lacks_cue(text: str, intent: str | None) -> bool:
    """True when `intent` needs a cue word (INTENT_CUES) and the message has none; a price reading of a question
    about an amount of energy ("how much we feed into the grid") is not trusted either."""
    if intent == PRICE_INTENT:
        return asks_energy_amount(text) or asks_payment_method(text)
    if intent == "goodbye":  # a question is no goodbye unless it says one ("Wie lang dauert's, bis ich Ersatz hab?")
        return is_question(text) and not _FAREWELL.search(text)
    if intent == "ask_delivery" and _PACKAGE_AS_PLAN.search(text):
        return True  # "which package would 4 sites be?", "im kleinsten Paket": a plan, no parcel
    cue = INTENT_CUES.get(intent or "")
    return cue is not None and not cue.search(text)


def price_question(text: str, intent: str | None, confidence: float = 1.0) -> bool:
    """A price question the classifier took for something vague (`8 units, what's the total`) or was unsure about:
    answer the price. Also True for `ask_price` itself, which then keeps its answer (no knowledge entry replaces a
    price)."""
    if not asks_price(text) or settles_price(text):  # "price is fine btw": the other questions
        return False
    if intent == PRICE_INTENT or intent in PRICE_OVERRIDABLE:
        return True
    if intent is None or intent in KEEP_INTENTS:
        return False
    if intent == COSTS_INTENT:
        return False  # running costs: its answer works out the known size itself (action_show_costs)
    if intent in SIZE_PRICE_INTENTS and _states_size(text):
        return True  # "15 supermarkets, 2 more next spring: which plan now and which later?" is no contract change
    if intent == BILLING_INTENT and _ASKS_AN_AMOUNT.search(text) and not _BILLING_ISSUE.search(text):
        return True  # "und was kostet das einmalig? zahlung auf rechnung wär uns wichtig": a prospect's price
    if intent in PLAIN_PRICE_INTENTS and confidence < MAX_INTENT_CONFIDENCE and asks_plain_price(text):
        return True  # "ok and after the trial, what's the cheapest plan?" is no question about the trial
    return confidence < UNSURE_CONFIDENCE or lacks_cue(text, intent)


def reroute(index: KnowledgeIndex, text: str, intent: str | None, confidence: float = 0.0) -> Scored | None:
    """The knowledge entry that should answer `text` instead of `intent`'s standard answer, if any.

    A message that was not understood is answered from the best entry at ANSWER_THRESHOLD; an
    intent with a generic answer when an entry clearly fits (INTENT_THRESHOLDS while the classifier
    is unsure, CONFIDENT_OVERRIDE and CONFIDENT_MARGIN when it is sure) and is not a topic that
    intent's own answer already covers (the entry's `intent`).
    """
    if price_question(text, intent, confidence) or (intent == COSTS_INTENT and asks_price(text)):
        return None  # the price (or costs) answer works out the known size (KnowledgeRouter sets ask_price)
    untrusted = lacks_cue(text, intent)
    if intent == FALLBACK_INTENT:
        threshold = ANSWER_THRESHOLD
    elif untrusted:
        threshold = UNTRUSTED_THRESHOLD
    elif intent is None or intent in KEEP_INTENTS:
        return None
    elif intent in STATEMENT_INTENTS and is_question(text):
        threshold = ANSWER_THRESHOLD
    elif confidence >= MAX_INTENT_CONFIDENCE:
        if intent in CUSTOMER_INTENTS:
            return None
        threshold = min(CONFIDENT_CAP, max(CONFIDENT_OVERRIDE, confidence - CONFIDENT_MARGIN))
    elif confidence < UNSURE_CONFIDENCE:
        threshold = UNSURE_THRESHOLD
    else:
        threshold = INTENT_THRESHOLDS.get(intent, DEFAULT_THRESHOLD)
    # the intent was read from the whole message, too; the concepts help readings that are not trusted, unsure or
    # generic (a feature list, a statement, off-topic); a surer specific reading keeps its intent unless the entry's
    # own words fit (checked against the NLU test set)
    concepts = (intent in CONCEPT_INTENTS or untrusted or confidence < UNSURE_CONFIDENCE
                or (intent in STATEMENT_INTENTS and is_question(text)))  # fmt: skip
    ranked = index.rank(text, whole=True, concepts=concepts)
    if not ranked or ranked[0].score < threshold or intent in ranked[0].entry.intents:
        return None
    checked = not (intent == FALLBACK_INTENT or untrusted or (confidence < UNSURE_CONFIDENCE
                                                                and ranked[0].score >= CLEAR_FIT))  # fmt: skip
    if checked and index.coverage(ranked[0].entry, text, concepts=concepts) <= MIN_COVERAGE:
        return None  # one shared word ("period", "account") is no match for a question about something else
    return ranked[0]
