"""The phase of a whole conversation, weighed by a small learned model over what each message showed.

The hand-made rules in `bot.journey.inference` follow the latest message with phase evidence and keep a phase
for customers, decided buyers and advocates. On conversations by authors nobody tuned on they were right about
three times in four: a rule takes one message's reading at its word. This model looks at the whole
conversation at once: the rules' phase, the phase each message's evidence gave, and the learned signal's phase
probabilities of the last message, the highest and the mean over all messages. It is a multinomial logistic
regression trained on labelled conversations (`data/journey/conversations/*.yml`, the same format as the
evaluation sets), with each visitor message read by the trained Rasa model as the bot would read it.

`make train` trains it (`python -m bot.journey.phase_model train`) into `models/journey_phase.pkl`, after the
Rasa model and the signal; `python -m bot.journey.phase_model check` reports, per conversation file, the rules'
and the model's accuracy when that file is left out of training (the honest figure for authors it never saw).
Without the file the rules decide alone.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
import yaml

from bot.config import PROJECT_ROOT
from bot.content.schemas.journey import read_labelled_conversations
from bot.journey.evidence import PHASES, EvidenceModel
from bot.journey.model_file import ModelFile, load_model, save_model
from bot.journey.signals import NONE, JourneySignal

logger = logging.getLogger(__name__)

CONVERSATIONS_DIR = PROJECT_ROOT / "data" / "journey" / "conversations"
PHASE_FILE = PROJECT_ROOT / "models" / "journey_phase.pkl"
#: bump when the features or the pickled layout change; an older file is ignored (and logged) until `make train`
FORMAT = 1
#: how strongly the weights are kept small (scikit-learn's C); chosen by leaving one conversation file out
REGULARISATION_C = 1.0


@dataclass(frozen=True)
class MessagePhase:
    """What one visitor message said about the phase: the phase of its evidence (intent, the editor's words, a
    sure learned reading), if any, and the learned signal's probability for every phase and for "none"."""

    number: int | None  #: as the visitor typed it (from 1); None for a button's payload or a page view
    phase: str | None
    probabilities: Mapping[str, float]


def features(rule_phase: str | None, messages: Sequence[MessagePhase], rule_score: float = 0.0) -> list[float]:
    """The conversation as numbers: the rules' phase and how sure its deciding reading was (an intent's
    confidence, the signal's probability; 1 for the editor's words), the signal's phase probabilities (last typed
    message, highest and mean over typed messages), the last and the share of messages with each evidence phase,
    and the length."""
    typed = [m.probabilities for m in messages if m.number is not None] or [{}]
    found = [m.phase for m in messages if m.phase]
    values = [float(rule_phase == phase) for phase in PHASES]
    values += [rule_score * (rule_phase == phase) for phase in PHASES]
    values += [typed[-1].get(label, 0.0) for label in (*PHASES, NONE)]
    values += [max(p.get(phase, 0.0) for p in typed) for phase in PHASES]
    values += [float(numpy.mean([p.get(phase, 0.0) for p in typed])) for phase in PHASES]
    values += [float(bool(found) and found[-1] == phase) for phase in PHASES]
    values += [sum(f == phase for f in found) / max(1, len(found)) for phase in PHASES]
    values += [float(phase in found) for phase in PHASES]
    values.append(min(len([m for m in messages if m.number is not None]), 6) / 6)
    return values


@dataclass(frozen=True)
class PhaseModel:
    """The fitted regression: phases, weights (phases × features), intercepts, and how many conversations."""

    classes: tuple[str, ...]
    coef: Any  # numpy array
    intercept: Any  # numpy array
    conversations: int

    def predict(self, values: Sequence[float]) -> tuple[str, float]:
        """The likeliest phase and its probability."""
        scores = self.coef @ numpy.asarray(values, dtype=float) + self.intercept
        scores = numpy.exp(scores - scores.max())
        scores /= scores.sum()
        best = int(scores.argmax())
        return self.classes[best], round(float(scores[best]), 3)


def fit(rows: Sequence[Sequence[float]], labels: Sequence[str], c: float = REGULARISATION_C) -> PhaseModel:
    from sklearn.linear_model import LogisticRegression

    regression = LogisticRegression(C=c, max_iter=3000).fit(numpy.asarray(rows, dtype=float), list(labels))
    coef, intercept = regression.coef_.copy(), regression.intercept_.copy()
    if len(regression.classes_) == 2:  # one row (a sigmoid) as the equivalent two-row softmax
        coef = numpy.vstack([numpy.zeros_like(coef), coef])
        intercept = numpy.concatenate([numpy.zeros_like(intercept), intercept])
    return PhaseModel(tuple(str(c) for c in regression.classes_), coef, intercept, len(labels))


def save(model: PhaseModel, path: Path) -> None:
    save_model(model, path, "model", FORMAT)


def load_phase_model(path: Path) -> PhaseModel | None:
    """The trained model, or None (logged) when there is none yet: the rules then decide the phase alone."""
    return load_model(path, "model", FORMAT, "conversation phase model", "the rules decide the phase")


class PhaseModelFile(ModelFile[PhaseModel]):
    """The model file, read on first use and again when `make train` replaces it (no restart)."""

    def load(self, path: Path) -> PhaseModel | None:
        return load_phase_model(path)


# ---------------------------------------------------------------------------------------------
# Training


@dataclass(frozen=True)
class LabelledConversation:
    file: str
    id: str
    turns: tuple[str, ...]
    phase: str


def load_conversations(directory: Path = CONVERSATIONS_DIR) -> list[LabelledConversation]:
    """Every labelled conversation with a phase in the directory's files; a mistake (an id used twice too) raises
    ContentError naming file, line and field."""
    found: list[LabelledConversation] = []
    first: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        checked = read_labelled_conversations(path, path.name, first)
        for conversation in checked.conversations:
            first[conversation.id] = path.name
            if conversation.expect.phase is not None:
                found.append(LabelledConversation(path.name, conversation.id, tuple(conversation.turns),
                                                  conversation.expect.phase))  # fmt: skip
    return found


def read_conversations(conversations: Sequence[LabelledConversation], rasa_model: Path) -> list[list[dict[str, Any]]]:
    """Each conversation's visitor messages as tracker events, read by the trained Rasa model (as the bot reads
    them: intent, confidence, ranking)."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # not a debug line per message
    agent = Agent.load(str(rasa_model))

    async def read_all() -> list[list[dict[str, Any]]]:
        parsed: dict[str, dict[str, Any]] = {}
        result = []
        for conversation in conversations:
            events = []
            for text in conversation.turns:
                if text not in parsed:
                    parsed[text] = await agent.parse_message(text)
                events.append({"event": "user", "text": text, "parse_data": parsed[text]})
            result.append(events)
        return result

    return asyncio.run(read_all())


def conversation_rows(events: Sequence[Sequence[Mapping[str, Any]]], evidence: EvidenceModel,
                      signal: JourneySignal) -> list[list[float]]:  # fmt: skip
    from bot.journey.inference import infer_journey, turns_from_events, weighed_messages

    rows = []
    for conversation in events:
        turns = turns_from_events(conversation)
        state = infer_journey(turns, evidence, signal=signal)
        reasons = state.reasons.get("phase") or ()
        score = reasons[-1].score if reasons else 0.0
        rows.append(features(state.rules_phase, weighed_messages(turns, evidence, signal), score))
    return rows


def check(conversations: Sequence[LabelledConversation], rows: Sequence[Sequence[float]]) -> list[str]:
    """Per file: the rules' and the model's accuracy with that file left out of training."""
    lines, totals = [], [0, 0, 0]
    files = sorted({c.file for c in conversations})
    rule_index = {phase: i for i, phase in enumerate(PHASES)}
    for name in files:
        train = [i for i, c in enumerate(conversations) if c.file != name]
        held = [i for i, c in enumerate(conversations) if c.file == name]
        model = fit([rows[i] for i in train], [conversations[i].phase for i in train])
        by_model = sum(model.predict(rows[i])[0] == conversations[i].phase for i in held)
        by_rules = sum(rows[i][rule_index[conversations[i].phase]] == 1.0 for i in held)
        totals = [totals[0] + by_rules, totals[1] + by_model, totals[2] + len(held)]
        lines.append(f"{name}: rules {by_rules}/{len(held)}, model {by_model}/{len(held)}")
    rules, model, count = totals
    lines.append(f"all, each file left out: rules {rules}/{count} = {rules / max(1, count):.3f}, "
                 f"model {model}/{count} = {model / max(1, count):.3f}")  # fmt: skip
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.journey.phase_model", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("train", "check"))
    parser.add_argument("--conversations", type=Path, default=CONVERSATIONS_DIR)
    parser.add_argument("--rasa-model", type=Path, default=PROJECT_ROOT / "models" / "journey.tar.gz")
    parser.add_argument("--out", type=Path, default=PHASE_FILE)
    args = parser.parse_args(argv)
    from functools import partial

    from bot.config import load_settings
    from bot.journey.evidence import load_evidence
    from bot.journey.signals import load_signal

    settings = load_settings()
    try:
        conversations = load_conversations(args.conversations)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        print(exc, file=sys.stderr)
        return 1
    signal = load_signal(settings.journey_signal_file)
    if not conversations or signal is None:
        print(f"Need labelled conversations in {args.conversations} and a trained signal (make train)",
              file=sys.stderr)  # fmt: skip
        return 1
    started = time.perf_counter()
    evidence = partial(load_evidence, questions=settings.questions_file)(settings.evidence_file)
    rows = conversation_rows(read_conversations(conversations, args.rasa_model), evidence, signal)
    if args.command == "check":
        print("\n".join(check(conversations, rows)))
        return 0
    save(fit(rows, [c.phase for c in conversations]), args.out)
    took = time.perf_counter() - started
    print(f"Trained the conversation phase model on {len(conversations)} conversations in {took:.1f} s: {args.out}")
    return 0


if __name__ == "__main__":
    # run as bot.journey.phase_model, not __main__, so the pickled classes load in the action server
    from bot.journey.phase_model import main as module_main

    sys.exit(module_main())
