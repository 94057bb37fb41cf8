"""Right after the NPS question a typed score is its answer; elsewhere, or when the visitor asks something instead,
the message keeps what the classifier read (bot/rasa_plugins/nps.py)."""

from __future__ import annotations

import pytest

from bot.rasa_plugins.nps import reads_as_score

ASKED = ["nps_score"]


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "score"),
    [("9", "inform_situation", 0.9, 9), ("neun", "nlu_fallback", 1.0, 9), ("nine", "greet", 0.3, 9),
     ("9/10", "inform_situation", 0.9, 9), ("ehrlich gesagt eine 3", "nlu_fallback", 1.0, 3),
     ("Für mich eine 7, der Preis ist halt hoch", "ask_price", 0.96, 7),
     ("Bei mir 9/10, das Dashboard ist top", "praise", 0.87, 9), ("zehn von zehn!", "praise", 0.9, 10),
     ("I'd give it 9", "praise", 0.5, 9), ("ich würde sagen 8", "nlu_fallback", 1.0, 8),
     # a problem or a question of its own instead of a score, with a number in it
     ("Seit 10 Tagen keine Daten", "ask_support", 0.8, None),
     ("One of my sensors is offline", "ask_support", 0.9, None),
     ("Seit 3 Tagen zeigt die App nichts an", "ask_support", 0.9, None),
     ("Was kostet ein 2. Clip?", "ask_price", 0.95, None), ("7 oder 8", "inform_situation", 0.9, None),
     ("19", "inform_situation", 0.9, None), ("keine Ahnung", "nlu_fallback", 1.0, None)],
)  # fmt: skip
def test_a_score_typed_after_the_question(text: str, intent: str, confidence: float, score: int | None) -> None:
    assert reads_as_score(text, intent, confidence, ASKED) == score


@pytest.mark.parametrize("offered", [[], ["affirm", "deny"], ["ask_topic"]])
def test_a_number_is_no_score_when_the_question_was_not_just_put(offered: list[str]) -> None:
    assert reads_as_score("9", "inform_situation", 0.9, offered) is None


def test_the_classifiers_score_for_a_message_that_is_no_rating_gives_way_to_its_next_reading() -> None:
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa_plugins.nps import ScoreReader

    def read(text: str) -> str:
        message = Message.build(text)
        message.set("intent", {"name": "nps_score", "confidence": 0.6})
        message.set("intent_ranking", [{"name": "nps_score", "confidence": 0.6},
                                       {"name": "ask_support", "confidence": 0.3}])  # fmt: skip
        (read_as,) = ScoreReader().process([message])
        return str(read_as.get("intent")["name"])

    assert read("Seit 10 Tagen kommen keine Daten mehr") == "ask_support"
    assert read("Ich würde euch glatt eine 10 geben!") == "nps_score"
