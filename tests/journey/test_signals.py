"""The learned per-message journey signal: its training data, its arithmetic, its speed, its file."""

from __future__ import annotations

import os
import pickle
import statistics
import time
from pathlib import Path

import pytest

from bot.catalogue.schema import ContentError
from bot.content.schemas import JourneyExample, parse_journey_examples_text
from bot.journey.evidence import PERSONAS, PHASES, SEGMENTS
from bot.journey.signals import (
    EXAMPLES_DIR,
    SIGNAL_FILE,
    JourneySignal,
    SignalFile,
    _prepare,
    fit,
    load_examples,
    main,
    save,
    train,
)

#: a small, unambiguous training set: every test here trains in well under a second
TINY = [
    JourneyExample(text=text, phase=phase, persona=persona, segment=segment)
    for text, phase, persona, segment in [
        ("unser SAP soll die Daten bekommen, gibt es eine Schnittstelle", "consideration", "technical", "b2b"),
        ("hat die API Webhooks und ein Python SDK", "consideration", "technical", None),
        ("our ERP needs the readings every night via the REST API", "consideration", "technical", "b2b"),
        ("was kostet das für unsere Wohnung", "decision", None, "b2c"),
        ("how much is it for my flat", "decision", None, "b2c"),
        ("what is the price for our house", "decision", None, "b2c"),
        ("hallo", None, None, None),
        ("hi there", None, None, None),
        ("danke schön", None, None, None),
        ("thanks a lot", None, None, None),
        ("ich bin skeptisch, gibt es unabhängige Tests", "consideration", "skeptic", None),
        ("sounds too good to be true, any independent proof", "consideration", "skeptic", None),
    ]
]


def test_the_example_files_are_valid_and_cover_every_label_in_both_languages() -> None:
    examples = load_examples()
    assert len(examples) >= 1500
    files = {path.name: parse_journey_examples_text(path.read_text(encoding="utf-8"), path.name).language
             for path in EXAMPLES_DIR.glob("*.yml")}  # fmt: skip
    assert set(files.values()) == {"de", "en"}
    for slot, labels in (("phase", PHASES), ("persona", PERSONAS), ("segment", SEGMENTS)):
        counts = {label: sum(getattr(e, slot) == label for e in examples) for label in (*labels, None)}
        assert min(counts.values()) >= 80, f"{slot}: {counts}"


def test_a_broken_example_names_file_line_and_field() -> None:
    text = "version: 1\nlanguage: de\nexamples:\n- {text: hallo, phase: buying}\n- {text: '', persona: technical}\n"
    with pytest.raises(ContentError) as error:
        parse_journey_examples_text(text, "data/journey/examples/de.yml")
    problems = {(p.line, p.field) for p in error.value.problems}
    assert problems == {(4, "examples[1].phase"), (5, "examples[2].text")}
    assert "unknown value 'buying'; use one of: awareness" in str(error.value)


def test_the_same_message_twice_is_reported_with_both_lines() -> None:
    text = "version: 1\nlanguage: en\nexamples:\n- {text: Hello there}\n- {text: hello  there, phase: awareness}\n"
    with pytest.raises(ContentError, match=r"line 5, examples\[2\]\.text: the same message is already on line 4"):
        parse_journey_examples_text(text, "en.yml")


@pytest.mark.parametrize(
    "examples",
    [TINY, [e.copy(update={"segment": "b2b" if e.segment else None}) for e in TINY]],  # two: a sigmoid in sklearn
    ids=["three or more classes", "two classes"],
)
def test_reading_gives_exactly_the_fitted_pipelines_probabilities(examples: list[JourneyExample]) -> None:
    signal = pickle.loads(pickle.dumps(train(examples)))  # as the action server loads it
    vectorizer, classifiers = fit(examples)
    texts = ["Gibt es eine REST API für unser ERP?", "price for my flat??", "völlig unbekannte Wörter xyz", ""]
    features = vectorizer.transform([_prepare(t) for t in texts])
    for slot, classifier in classifiers.items():
        expected = classifier.predict_proba(features)
        for row, text in enumerate(texts):
            mine = signal.probabilities(text)[slot]
            assert mine == pytest.approx(dict(zip(classifier.classes_, expected[row], strict=True)), abs=1e-9)


@pytest.fixture(scope="module")
def trained() -> JourneySignal:
    signal = SignalFile(SIGNAL_FILE).get()
    if signal is None:
        if os.environ.get("CI"):
            pytest.fail(f"{SIGNAL_FILE} is missing: `make test` trains it before the tests")
        pytest.skip("needs the trained signal: make train")
    return signal


# messages written for this test, in none of the example files: roles and contexts without the usual keywords
@pytest.mark.parametrize(
    ("text", "slot", "label"),
    [
        ("Unser Haustechniker will wissen, ob die Sensoren Modbus sprechen", "persona", "technical"),
        ("Unser Haustechniker will wissen, ob die Sensoren Modbus sprechen", "segment", "b2b"),
        ("Our plant manager wants the readings in our SCADA system", "segment", "b2b"),
        ("Ich bin Einkäuferin bei einer Klinikgruppe und brauche ein Angebot", "persona", "budget_owner"),
        ("Gibt es irgendwo einen Showroom, wo ich das live sehen kann?", "persona", "experience_seeker"),
        ("Is there a place where I can see it running before we decide?", "persona", "experience_seeker"),
        ("Wir nutzen Home seit einem Jahr, aber die App verbindet sich nicht mehr", "phase", "retention"),
        ("We have had Business at our sites since spring, how do we add another location?", "phase", "retention"),
        ("meine Frau und ich wohnen zur Miete, lohnt sich das für uns?", "segment", "b2c"),
    ],
)
def test_the_trained_signal_reads_cues_it_was_not_given_word_for_word(
    trained: JourneySignal, text: str, slot: str, label: str
) -> None:
    reading = trained.read(text)[slot]
    assert (reading.label, reading.probability >= 0.5) == (label, True)


@pytest.mark.parametrize("text", ["hallo", "thanks!", "ok", "Max Huber, max@huber.at"])
def test_the_trained_signal_abstains_on_messages_without_cues(trained: JourneySignal, text: str) -> None:
    assert all(reading.probability < 0.5 for reading in trained.read(text).values())


def test_reading_a_message_takes_under_two_milliseconds(trained: JourneySignal) -> None:
    signal = trained
    texts = [e.text for e in load_examples()[:300]]
    timings = []
    for text in texts:
        signal._cache.clear()
        started = time.perf_counter()
        signal.read(text)
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.002


def test_the_signal_file_is_optional_and_reloaded_when_retrained(tmp_path: Path) -> None:
    path = tmp_path / "signal.pkl"
    signal_file = SignalFile(path)
    assert signal_file.get() is None  # not trained yet: the evidence file works alone
    save(train(TINY), path)
    first = signal_file.get()
    assert first is not None and first.examples == len(TINY)
    save(train(TINY[:-2]), path)
    os.utime(path, (time.time() + 5, time.time() + 5))
    assert signal_file.get().examples == len(TINY) - 2
    path.write_bytes(b"not a pickle")
    os.utime(path, (time.time() + 10, time.time() + 10))
    assert signal_file.get() is None


def test_the_command_trains_from_a_folder_and_refuses_a_broken_file(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "examples"
    folder.mkdir()
    lines = "".join(f"- {{text: {e.text!r}, phase: {e.phase or 'null'}, persona: {e.persona or 'null'}, "
                    f"segment: {e.segment or 'null'}}}\n" for e in TINY)  # fmt: skip
    (folder / "mixed.yml").write_text("version: 1\nlanguage: de\nexamples:\n" + lines, encoding="utf-8")
    out = tmp_path / "signal.pkl"
    assert main(["train", "--examples", str(folder), "--out", str(out)]) == 0
    assert SignalFile(out).get().read("REST API für unser SAP?")["persona"].label == "technical"
    (folder / "broken.yml").write_text("version: 1\nlanguage: fr\nexamples: []\n", encoding="utf-8")
    assert main(["train", "--examples", str(folder), "--out", str(tmp_path / "other.pkl")]) == 1
    assert "broken.yml, line 2, language" in capsys.readouterr().err
    assert not (tmp_path / "other.pkl").exists()
