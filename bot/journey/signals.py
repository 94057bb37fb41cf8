"""A learned per-message signal for journey phase, persona and segment.

Keyword lists only know the words someone thought of. This signal is a small text classifier
per slot (TF-IDF over words and character n-grams, logistic regression; scikit-learn, which Rasa
already pins), trained on labelled example messages in both languages
(`data/journey/examples/<language>.yml`, editor-owned). It reads one message and says, per slot,
which label the message points to and how sure it is, or that it says nothing about the slot
("none": most messages carry no persona). `bot.journey.inference` adds what it says to the
intent, keyword and page evidence of `data/journey/evidence.yml`, which stays the place to
correct and override.

`make train` trains it (`python -m bot.journey.signals train`) into `models/journey_signal.pkl`;
`python -m bot.journey.signals check` reports cross-validated accuracy on the examples.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy

from bot.config import PROJECT_ROOT
from bot.content.schemas import JourneyExample, parse_journey_examples_text
from bot.journey.evidence import PERSONAS, PHASES, SEGMENTS
from bot.journey.model_file import ModelFile, load_model, save_model
from bot.text import normalize

logger = logging.getLogger(__name__)

EXAMPLES_DIR = PROJECT_ROOT / "data" / "journey" / "examples"
SIGNAL_FILE = PROJECT_ROOT / "models" / "journey_signal.pkl"
SLOTS: Mapping[str, Sequence[str]] = {"phase": PHASES, "persona": PERSONAS, "segment": SEGMENTS}
NONE = "none"
#: bump when the pickled layout changes; an older file is ignored (and logged) until `make train`
FORMAT = 3


@dataclass(frozen=True)
class SlotReading:
    """What one message says about one slot: the likeliest label other than "none", and its probability."""

    label: str
    probability: float


class _Vocabulary:
    """One fitted TF-IDF vectorizer, reduced to what reading needs: its settings (the analyzer is rebuilt
    from them, so the pickle holds no scikit-learn object), terms and idf weights."""

    def __init__(self, settings: Mapping[str, Any], terms: Mapping[str, int], idf: Any, offset: int) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.settings = dict(settings)
        self.terms = terms
        self.idf = idf  # numpy array
        self.offset = offset  # where its columns start in the joined feature vector
        self.analyzer: Callable[[str], list[str]] = TfidfVectorizer(**self.settings).build_analyzer()

    def __getstate__(self) -> dict[str, Any]:
        return {"settings": self.settings, "terms": self.terms, "idf": self.idf, "offset": self.offset}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]


@dataclass(frozen=True)
class _Classifier:
    """One fitted multinomial logistic regression: classes, weights (classes × features) and intercepts."""

    classes: tuple[str, ...]
    coef: Any  # numpy array
    intercept: Any  # numpy array


class JourneySignal:
    """The trained classifiers; `read` is cached per text, since every turn replays the conversation.

    Reading does the fitted scikit-learn pipeline's arithmetic directly (sublinear TF-IDF with l2 norm per
    vectorizer, then softmax over the linear scores): the same probabilities, without scikit-learn's
    per-call overhead (under half a millisecond per message instead of about four)."""

    def __init__(
        self, vocabularies: Sequence[_Vocabulary], classifiers: Mapping[str, _Classifier], examples: int
    ) -> None:
        self._vocabularies = tuple(vocabularies)
        self._classifiers = dict(classifiers)
        self.examples = examples
        self._cache: dict[str, dict[str, SlotReading]] = {}

    def _features(self, text: str) -> tuple[Any, Any]:
        indices: list[int] = []
        values: list[float] = []
        for vocabulary in self._vocabularies:
            counts: dict[int, int] = {}
            for term in vocabulary.analyzer(text):
                column = vocabulary.terms.get(term)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            columns = numpy.fromiter(counts, dtype=numpy.int64, count=len(counts))
            weights = (1.0 + numpy.log(numpy.fromiter(counts.values(), dtype=float, count=len(counts))))
            weights *= vocabulary.idf[columns]
            weights /= numpy.sqrt(weights @ weights)
            indices.extend((columns + vocabulary.offset).tolist())
            values.extend(weights.tolist())
        return numpy.asarray(indices, dtype=numpy.int64), numpy.asarray(values, dtype=float)

    def probabilities(self, text: str) -> dict[str, dict[str, float]]:
        """Per slot, every label's probability (kept per text, like `read`)."""
        return self._kept_probabilities(_prepare(text))

    def _kept_probabilities(self, prepared: str) -> dict[str, dict[str, float]]:
        kept: dict[str, dict[str, dict[str, float]]] = self.__dict__.setdefault("_probability_cache", {})
        found = kept.get(prepared)
        if found is None:
            if len(kept) > 20_000:
                kept.clear()
            found = kept[prepared] = self._probabilities(prepared)
        return found

    def _probabilities(self, prepared: str) -> dict[str, dict[str, float]]:
        indices, values = self._features(prepared)
        result = {}
        for slot, classifier in self._classifiers.items():
            scores = classifier.coef[:, indices] @ values + classifier.intercept
            scores = numpy.exp(scores - scores.max())
            scores /= scores.sum()
            result[slot] = dict(zip(classifier.classes, scores.tolist(), strict=True))
        return result

    def read(self, text: str) -> dict[str, SlotReading]:
        """Per slot, the best label that is not "none" and its probability (the caller decides what is enough)."""
        key = _prepare(text)
        found = self._cache.get(key)
        if found is None:
            found = {}
            for slot, probabilities in self._kept_probabilities(key).items():
                label, probability = max(((label, p) for label, p in probabilities.items() if label != NONE),
                                         key=lambda pair: pair[1], default=(NONE, 0.0))  # fmt: skip
                found[slot] = SlotReading(label, round(probability, 3))
            if len(self._cache) > 20_000:
                self._cache.clear()
            self._cache[key] = found
        return found


def _prepare(text: str) -> str:
    return " ".join(normalize(text).split())


# ---------------------------------------------------------------------------------------------
# Training


def load_examples(directory: Path = EXAMPLES_DIR) -> list[JourneyExample]:
    """Every example file in the directory, checked (errors name file, line and field)."""
    examples: list[JourneyExample] = []
    for path in sorted(directory.glob("*.yml")):
        display = str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)
        examples.extend(parse_journey_examples_text(path.read_text(encoding="utf-8"), display).examples)
    return examples


#: the vectorizer settings that decide how a text becomes terms (kept in the pickle to rebuild the analyzer)
ANALYZER_SETTINGS = ("analyzer", "ngram_range", "lowercase", "token_pattern", "strip_accents", "stop_words")


def _vectorizer() -> object:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, token_pattern=r"(?u)\b\w+\b")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2)),
        ]
    )


def _classifier() -> object:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=8.0, class_weight="balanced", max_iter=3000)


def _labels(examples: Sequence[JourneyExample], slot: str) -> list[str]:
    return [getattr(example, slot) or NONE for example in examples]


def fit(examples: Sequence[JourneyExample]) -> tuple[Any, dict[str, Any]]:
    """The scikit-learn pipeline, fitted: the joined vectorizer and one classifier per slot."""
    texts = [_prepare(example.text) for example in examples]
    vectorizer: Any = _vectorizer()
    features = vectorizer.fit_transform(texts)
    classifiers: dict[str, Any] = {}
    for slot in SLOTS:
        classifiers[slot] = _classifier()
        classifiers[slot].fit(features, _labels(examples, slot))
    return vectorizer, classifiers


def train(examples: Sequence[JourneyExample]) -> JourneySignal:
    vectorizer, classifiers = fit(examples)
    vocabularies, offset = [], 0
    for _, part in vectorizer.transformer_list:
        settings = {key: part.get_params()[key] for key in ANALYZER_SETTINGS}
        terms = {str(term): int(column) for term, column in part.vocabulary_.items()}
        vocabularies.append(_Vocabulary(settings, terms, part.idf_.copy(), offset))
        offset += len(terms)
    return JourneySignal(vocabularies, {slot: _lean(model) for slot, model in classifiers.items()}, len(examples))


def _lean(model: Any) -> _Classifier:
    """The classifier's weights; a two-class one (one row, a sigmoid) as the equivalent two-row softmax."""
    coef, intercept = model.coef_.copy(), model.intercept_.copy()
    if len(model.classes_) == 2:
        coef = numpy.vstack([numpy.zeros_like(coef), coef])
        intercept = numpy.concatenate([numpy.zeros_like(intercept), intercept])
    return _Classifier(tuple(str(c) for c in model.classes_), coef, intercept)


def save(signal: JourneySignal, path: Path) -> None:
    save_model(signal, path, "signal", FORMAT)


def load_signal(path: Path) -> JourneySignal | None:
    """The trained signal, or None (logged) when it was not trained yet: the evidence file still works alone."""
    return load_model(path, "signal", FORMAT, "learned journey signal", "using the evidence file alone")


class SignalFile(ModelFile[JourneySignal]):
    """The signal file, read on first use and again when `make train` replaces it (no restart)."""

    def load(self, path: Path) -> JourneySignal | None:
        return load_signal(path)


def cross_validate(examples: Sequence[JourneyExample], folds: int = 5) -> dict[str, float]:
    """Accuracy per slot on held-out examples (k-fold), the signal's own dev figure."""
    from sklearn.model_selection import StratifiedKFold

    results: dict[str, float] = {}
    texts = [_prepare(example.text) for example in examples]
    for slot in SLOTS:
        labels = _labels(examples, slot)
        right = 0
        for train_index, test_index in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, labels):
            vectorizer = _vectorizer()
            classifier = _classifier()
            classifier.fit(vectorizer.fit_transform([texts[i] for i in train_index]), [labels[i] for i in train_index])  # type: ignore[attr-defined]
            predicted = classifier.predict(vectorizer.transform([texts[i] for i in test_index]))  # type: ignore[attr-defined]
            right += sum(p == labels[i] for p, i in zip(predicted, test_index, strict=True))
        results[slot] = right / len(labels)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.journey.signals", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("train", "check"))
    parser.add_argument("--examples", type=Path, default=EXAMPLES_DIR)
    parser.add_argument("--out", type=Path, default=SIGNAL_FILE)
    args = parser.parse_args(argv)
    from bot.catalogue.schema import ContentError

    try:
        examples = load_examples(args.examples)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    if not examples:
        print(f"No examples in {args.examples}", file=sys.stderr)
        return 1
    if args.command == "check":
        scores = cross_validate(examples)
        print(" ".join(f"{slot}={score:.3f}" for slot, score in scores.items()), f"examples={len(examples)}")
        return 0
    started = time.perf_counter()
    signal = train(examples)
    save(signal, args.out)
    took = time.perf_counter() - started
    print(f"Trained the journey signal on {len(examples)} examples in {took:.1f} s: {args.out}")
    return 0


if __name__ == "__main__":
    # run as bot.journey.signals, not __main__, so the pickled classes load in the action server
    from bot.journey.signals import main as module_main

    sys.exit(module_main())
