"""What the bot did not understand, for editors: similar messages (typos, word forms, both languages) fall in one
group, and an editor's decision lands in the NLU files once, in each text's language, as valid training data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from bot.content.not_understood import Missed, add_examples, group_similar, training_examples

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)


def missed(*texts: str) -> list[Missed]:
    return [Missed(text, f"s{i}", NOW - dt.timedelta(minutes=i), "nlu_fallback", 0.2) for i, text in enumerate(texts)]


def test_similar_messages_fall_in_one_group_biggest_first() -> None:
    said = (
        "Kann ich mit SAP Business One verbinden?",
        "Wie ist das Wetter morgen",
        "SAP Business One Anbindung möglich?",
        "wetter morgen in graz?",
        "Do you support SAP Business One?",
        "kann ich mit sap b1 verbinden",
        "qwertz",
    )
    groups = group_similar(missed(*said))
    found = [{m.text for m in g.messages} for g in groups]
    assert {said[0], said[2], said[5]} <= found[0]  # typos, word order, another wording: together
    assert {said[1], said[3]} in found and {"qwertz"} in found  # the weather apart from SAP, nonsense alone
    assert groups[0].text == said[0] and groups[0].count == len(found[0])  # the newest first, biggest group first


def test_a_decision_is_written_once_per_language_as_training_data(tmp_path: Path) -> None:
    nlu = tmp_path / "nlu"
    texts = ["Kann ich mit SAP Business One verbinden?", "Do you support SAP Business One?"]
    written = add_examples(nlu, "ask_integrations", texts)
    add_examples(nlu, "ask_integrations", [*texts, "SAP B1 Schnittstelle, geht das?"])  # the same again, and one more
    assert set(written) == {"de", "en"}
    german = yaml.safe_load((nlu / "de" / "from_editors.yml").read_text(encoding="utf-8"))
    assert german["nlu"] == [
        {
            "intent": "ask_integrations",
            "examples": "- Kann ich mit SAP Business One verbinden?\n" "- SAP B1 Schnittstelle, geht das?\n",
        }
    ]
    assert training_examples(nlu) == {*texts, "SAP B1 Schnittstelle, geht das?"}
