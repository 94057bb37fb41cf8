"""Changing the bot's texts from the editor area, with every other line of the file (comments, order, quoting) kept
as it was, so that the change reads as a one-line diff in git. Four kinds of text, each in its editor file:
- answers (data/content/responses.yml), with their variations and alternatives;
- a question's `say:` (data/content/questions.yml), said as utter_<intent>;
- the chat texts around catalogue values (data/content/messages.yml, `messages.<name>`), with the placeholders the
  bot fills in (bot/messages.py FILLED);
- the knowledge entries' answers (data/content/knowledge.yml, `knowledge.<id>`).

A save is checked like `make content` checks the file before it replaces it (a broken text never reaches the running
bot), refused when the file changed since the editor opened it (two editors, or a git pull in between), and written
atomically (a reader sees the old file or the new one, never half of it).
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.catalogue.schema import ContentError
from bot.content.schemas.knowledge import read_knowledge
from bot.content.schemas.messages import read_messages
from bot.content.schemas.questions import read_questions, said_response
from bot.content.schemas.responses import read_responses, texts_of

#: a line with only this between two texts: the bot says one of them at random
ALTERNATIVES = "---"
#: the name prefixes of the chat texts and the knowledge answers
MESSAGE, KNOWLEDGE = "messages.", "knowledge."


class StaleEdit(Exception):
    """The file changed after the editor opened the answer."""


class EditorFiles(Protocol):
    """Where the texts are (bot.config.Settings has these)."""

    responses_file: Path
    questions_file: Path
    messages_file: Path
    knowledge_file: Path


@dataclass(frozen=True)
class TextField:
    """One pair of texts of an answer as the form shows it: the answer's own (key "") or a variation's."""

    key: str  #: "" or "variants.2" (the third variation)
    label: str
    de: str
    en: str


@dataclass(frozen=True)
class AnswerSource:
    """Where an answer's texts are written: the file and the YAML path of the mapping with de/en."""

    name: str
    path: Path
    loc: tuple[Any, ...]
    #: what the text is, for the editor ("Antwort", "Text mit Katalogwerten", a knowledge entry's title)
    kind: str = "Antwort"
    #: several texts said at random (a line with only ALTERNATIVES between them) are allowed
    alternatives: bool = True
    #: the values the bot fills in, which the text may use as {name}; None: no placeholders at all
    placeholders: tuple[str, ...] | None = None


def version_of(path: Path) -> str:
    """A fingerprint of the file as it is now; a save with another one is refused."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def find_answer(name: str, files: EditorFiles) -> AnswerSource | None:
    if name.startswith(MESSAGE):
        from bot.messages import FILLED

        key = name.removeprefix(MESSAGE)
        if key not in read_messages(files.messages_file).messages:
            return None
        return AnswerSource(name, files.messages_file, ("messages", key), "Text mit Katalogwerten", False,
                            tuple(FILLED.get(key, ())))  # fmt: skip
    if name.startswith(KNOWLEDGE):
        entries = read_knowledge(files.knowledge_file).entries
        index = next((i for i, entry in enumerate(entries) if entry.id == name.removeprefix(KNOWLEDGE)), None)
        if index is None:
            return None
        return AnswerSource(name, files.knowledge_file, ("entries", index, "answer"),
                            f"Wissensantwort: {entries[index].title.de}", False)  # fmt: skip
    if name in read_responses(files.responses_file).responses:
        return AnswerSource(name, files.responses_file, ("responses", name))
    for intent, question in read_questions(files.questions_file).questions.items():
        if question.say is not None and said_response(intent) == name:
            return AnswerSource(name, files.questions_file, ("questions", intent, "say"))
    return None


def all_answers(files: EditorFiles) -> dict[str, list[tuple[str, str, str]]]:
    """Every text an editor can change, per kind: (name, file name, German text)."""
    responses = read_responses(files.responses_file).responses
    answers = [(name, files.responses_file.name, texts_of(response.de)[0]) for name, response in responses.items()]
    for intent, question in read_questions(files.questions_file).questions.items():
        if question.say is not None:
            answers.append((said_response(intent), files.questions_file.name, texts_of(question.say.de)[0]))
    messages = read_messages(files.messages_file).messages
    knowledge = read_knowledge(files.knowledge_file).entries
    return {
        "Antworten": sorted(answers),
        "Wissensantworten": sorted(
            (KNOWLEDGE + entry.id, files.knowledge_file.name, entry.answer.de) for entry in knowledge
        ),
        "Texte mit Katalogwerten": sorted(
            (MESSAGE + key, files.messages_file.name, texts.de) for key, texts in messages.items()
        ),
    }


def text_fields(source: AnswerSource) -> list[TextField]:
    """The answer's texts, its own first, then each variation's (labelled by its `when`)."""
    entry = _navigate(_load(source.path), source.loc)
    fields = [TextField("", "Antwort", _shown(entry["de"]), _shown(entry["en"]))]
    for index, variation in enumerate(entry.get("variants") or []):
        when = ", ".join(f"{key} = {value}" for key, value in (variation.get("when") or {}).items())
        fields.append(TextField(f"variants.{index}", f"Variante für {when}", _shown(variation["de"]),
                                _shown(variation["en"])))  # fmt: skip
    return fields


def save_texts(source: AnswerSource, changes: Mapping[str, Mapping[str, str]], version: str) -> None:
    """Write the changed texts (per field key, "de" and "en") into the file; ContentError (file, line, field) if the
    result is no valid file, StaleEdit if the file is not the `version` the editor saw.

    A text that is one quoted line in the file and stays one text is replaced on that line only; otherwise (a list
    of alternatives) the file is written again from its YAML tree, which keeps comments, order and quoting but
    joins wrapped lists into one line."""
    with _locked(source.path):
        if version_of(source.path) != version:
            raise StaleEdit(str(source.path))
        original = source.path.read_text(encoding="utf-8")
        document = _yaml().load(original)
        entry = _navigate(document, source.loc)
        lines = original.splitlines(keepends=True)
        in_place = True
        for key, texts in changes.items():
            target = entry if not key else _navigate(entry, tuple(int(p) if p.isdigit() else p for p in key.split(".")))
            for language in ("de", "en"):
                if language in texts:
                    stored = _stored(texts[language], source.alternatives)
                    in_place = in_place and isinstance(stored, str) and _on_its_line(lines, target, language, stored)
                    target[language] = stored
        _replace_checked(source.path, "".join(lines) if in_place else _dumped(document))


def _on_its_line(lines: list[str], mapping: Any, key: str, text: str) -> bool:
    """Replaces the quoted one-line value of `key` in `mapping` on its line of `lines`; False (nothing changed) when
    the value is not one quoted line there."""
    import yaml

    line_number, column = mapping.lc.value(key)
    line = lines[line_number]
    value = line[column:].rstrip("\r\n").rstrip()
    if not value.startswith('"') or not value.endswith('"'):
        return False
    try:
        if yaml.safe_load(value) != str(mapping[key]):
            return False
    except yaml.YAMLError:
        return False
    # a JSON string is a YAML double-quoted scalar: the same escapes, one line
    lines[line_number] = line[:column] + json.dumps(str(text), ensure_ascii=False) + line[column + len(value) :]
    return True


def _dumped(document: Any) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def _shown(value: Any) -> str:
    return f"\n{ALTERNATIVES}\n".join(str(text) for text in texts_of(value))


def _stored(text: str, alternatives: bool = True) -> Any:
    """The text as the file keeps it: several (split at ALTERNATIVES lines, each trimmed) as a list, one as it is
    typed, spaces kept (a chat text that joins two others, " und ", needs them)."""
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    text = text.replace("\r\n", "\n")
    if not alternatives:
        return DoubleQuotedScalarString(text)
    parts = [part.strip() for part in text.split(f"\n{ALTERNATIVES}\n")]
    if len(parts) == 1:
        return DoubleQuotedScalarString(parts[0])
    sequence = CommentedSeq(DoubleQuotedScalarString(part) for part in parts)
    sequence.fa.set_flow_style()
    return sequence


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round trip: comments, order and quoting stay as they are
    yaml.preserve_quotes = True
    yaml.width = 100_000  # one text, one line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _load(path: Path) -> Any:
    return _yaml().load(path.read_text(encoding="utf-8"))


def _navigate(node: Any, loc: tuple[Any, ...]) -> Any:
    for key in loc:
        node = node[key]
    return node


def _replace_checked(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        document = _yaml().load(text)
        _checker(document)(Path(temporary), str(path))
        _not_contradicting(Path(temporary), path, document)
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _checker(document: Any) -> Callable[[Path, str], Any]:
    """How `make content` checks a file like this one."""
    if "questions" in document:
        return lambda path, shown: read_questions(path, display=shown)
    if "messages" in document:
        from bot.messages import FILLED

        return lambda path, shown: read_messages(path, display=shown, filled=FILLED)
    if "entries" in document:
        return lambda path, shown: read_knowledge(path, Path(shown).parent / "products", display=shown)
    return lambda path, shown: read_responses(path, display=shown)


def _not_contradicting(written: Path, path: Path, document: Any) -> None:
    """What the file's texts claim agrees with the product files next to it (bot/catalogue/claims.py, as in
    `make content`): a price or a saving an editor types must be the catalogue's."""
    from bot.catalogue.claims import contradictions, knowledge_entry_product, passages
    from bot.catalogue.schema import read_catalogue

    products_dir = path.parent / "products"
    if not products_dir.is_dir():
        return
    product_of = knowledge_entry_product if "entries" in document else None
    problems = contradictions(passages(written, str(path), product_of), read_catalogue(products_dir, path.parent))
    if problems:
        raise ContentError(problems)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One save at a time per file, across the web app's processes."""
    with open(path.with_name(f".{path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


__all__ = [
    "ALTERNATIVES", "KNOWLEDGE", "MESSAGE", "AnswerSource", "ContentError", "EditorFiles", "StaleEdit", "TextField",
    "all_answers", "find_answer", "save_texts", "text_fields", "version_of",
]  # fmt: skip
