"""What visitors typed that the bot did not understand, for the editor area: the messages that ended in the fallback
or were read with low confidence, from Rasa's stored conversations (the `events` table in DATABASE_URL), grouped by
similarity, and an editor's decision written into the NLU training files (reviewable in git; in effect after the next
training).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.journey.language import detect_language
from bot.text import normalize

#: a message read with less confidence than this counts as not understood (the fallback's threshold is 0.3)
LOW_CONFIDENCE = 0.5
#: two messages whose character n-grams are at least this similar (cosine) fall in one group
SIMILAR = 0.3
#: how many recent visitor messages are looked at
LOOK_AT = 20_000
#: the file in data/nlu/<language>/ an editor's decisions go to
EDITOR_FILE = "from_editors.yml"


@dataclass(frozen=True)
class Missed:
    text: str
    sender_id: str
    at: dt.datetime
    intent: str
    confidence: float


@dataclass
class Group:
    """Messages that say much the same; the first is the most recent."""

    messages: list[Missed] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.messages[0].text

    @property
    def count(self) -> int:
        return len(self.messages)

    @property
    def last_seen(self) -> dt.datetime:
        return max(m.at for m in self.messages)


def missed_messages(engine: Engine, since: dt.datetime, known: Iterable[str] = (),
                    low_confidence: float = LOW_CONFIDENCE) -> list[Missed]:  # fmt: skip
    """Visitors' typed messages since `since` that ended in the fallback or had low confidence, newest first, without
    button payloads and without those already in the training data (`known`, normalized)."""
    decided = {normalize(t) for t in known}
    query = text("SELECT sender_id, timestamp, data FROM events WHERE type_name = 'user' AND timestamp >= :since "
                 "ORDER BY id DESC LIMIT :limit")  # fmt: skip
    found: list[Missed] = []
    with engine.connect() as connection:
        rows = connection.execute(query, {"since": since.timestamp(), "limit": LOOK_AT}).all()
    for sender_id, timestamp, data in rows:
        event = json.loads(data) if isinstance(data, str) else data
        said = str(event.get("text") or "").strip()
        if not said or said.startswith("/") or normalize(said) in decided:
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        name, confidence = str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)
        if name == "nlu_fallback" or confidence < low_confidence:
            found.append(Missed(said, str(sender_id), dt.datetime.fromtimestamp(float(timestamp), dt.timezone.utc),
                                name, round(confidence, 2)))  # fmt: skip
    return found


def group_similar(messages: Sequence[Missed], similar: float = SIMILAR) -> list[Group]:
    """Greedy grouping on character n-grams (typos and word forms stay together), biggest group first."""
    if not messages:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [normalize(m.text) for m in messages]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(texts)
    groups: list[tuple[int, Group]] = []  # (index of the group's first message, group)
    for index, message in enumerate(messages):
        best, best_score = None, similar
        for first, group in groups:
            score = float(vectors[index].multiply(vectors[first]).sum())
            if score >= best_score:
                best, best_score = group, score
        if best is None:
            groups.append((index, Group([message])))
        else:
            best.messages.append(message)
    return sorted((g for _, g in groups), key=lambda g: (-g.count, -g.last_seen.timestamp()))


def training_examples(nlu_dir: Path) -> set[str]:
    """Every example text in the NLU files under `nlu_dir`."""
    import yaml

    found: set[str] = set()
    for path in sorted(nlu_dir.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in document.get("nlu") or []:
            examples = item.get("examples") if isinstance(item, dict) else None
            if isinstance(examples, str):
                found.update(re.sub(r"^\s*-\s*", "", line) for line in examples.splitlines() if line.strip())
    return found


def add_examples(nlu_dir: Path, intent: str, texts: Iterable[str]) -> dict[str, Path]:
    """Append the texts as examples of `intent` to data/nlu/<language>/from_editors.yml (the language each text is
    written in); returns the files per language it wrote to. Texts already there are not added twice."""
    by_language: dict[str, list[str]] = {}
    for said in dict.fromkeys(t.strip() for t in texts if t.strip()):
        clean = " ".join(said.split())  # one line each
        by_language.setdefault(detect_language(clean, None) or "de", []).append(clean)
    written: dict[str, Path] = {}
    for language, examples in by_language.items():
        path = nlu_dir / language / EDITOR_FILE
        _append(path, intent, examples)
        written[language] = path
    return written


def _append(path: Path, intent: str, examples: Sequence[str]) -> None:
    import yaml

    document = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    document = document or {"version": "3.1", "nlu": []}
    items = document.setdefault("nlu", [])
    item = next((i for i in items if i.get("intent") == intent), None)
    if item is None:
        item = {"intent": intent, "examples": ""}
        items.append(item)
    have = {re.sub(r"^\s*-\s*", "", line) for line in str(item.get("examples") or "").splitlines() if line.strip()}
    lines = [line for line in str(item.get("examples") or "").splitlines() if line.strip()]
    lines += [f"- {example}" for example in examples if example not in have]
    item["examples"] = "\n".join(lines) + "\n"
    header = (
        "# Examples content editors assigned in the editor area (/editor/not-understood): what visitors typed\n"
        "# that the bot did not understand. Review them like any training data; `make train` uses them.\n"
    )
    body = yaml.dump(document, Dumper=_literal_dumper(), allow_unicode=True, sort_keys=False, width=100_000)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(header + body, encoding="utf-8")
    temporary.replace(path)


def _literal_dumper() -> type:
    import yaml

    class LiteralDumper(yaml.SafeDumper):
        pass

    def text_block(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    LiteralDumper.add_representer(str, text_block)
    return LiteralDumper


def intent_choices(domain_dir: Path, questions_file: Path) -> list[str]:
    """The intents an editor can assign a message to: the questions and the conversation intents of the domain."""
    import yaml

    found: set[str] = set()
    for path in sorted(domain_dir.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found.update(str(i) if not isinstance(i, dict) else str(next(iter(i))) for i in document.get("intents") or [])
    questions = yaml.safe_load(questions_file.read_text(encoding="utf-8")) or {}
    found.update(questions.get("questions") or {})
    return sorted(found - {"page_view", "inform_contact", "nlu_fallback"})


@dataclass(frozen=True)
class Line:
    """One line of a conversation as the editor area shows it."""

    who: str  #: "visitor" or "bot"
    text: str
    at: dt.datetime
    note: str = ""  #: for a visitor's message: how the bot read it


def transcript(engine: Engine, sender_id: str, limit: int = 400) -> list[Line]:
    """The conversation's visitor messages and bot answers, oldest first."""
    query = text("SELECT type_name, timestamp, data FROM events WHERE sender_id = :sender_id "
                 "AND type_name IN ('user', 'bot') ORDER BY id LIMIT :limit")  # fmt: skip
    with engine.connect() as connection:
        rows = connection.execute(query, {"sender_id": sender_id, "limit": limit}).all()
    lines: list[Line] = []
    for kind, timestamp, data in rows:
        event = json.loads(data) if isinstance(data, str) else data
        said = str(event.get("text") or "")
        if not said or (kind == "user" and said.startswith("/")):
            continue
        at = dt.datetime.fromtimestamp(float(timestamp), dt.timezone.utc)
        intent = ((event.get("parse_data") or {}).get("intent") or {}) if kind == "user" else {}
        note = f"{intent.get('name')} ({float(intent.get('confidence') or 0):.2f})" if intent else ""
        lines.append(Line("visitor" if kind == "user" else "bot", said, at, note))
    return lines
