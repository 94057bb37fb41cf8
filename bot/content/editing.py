"""Changing an answer's texts from the editor area: in data/content/responses.yml, or in a question's `say:` in
data/content/questions.yml, with every other line of the file (comments, order, quoting) kept as it was, so that the
change reads as a one-line diff in git.

A save is checked like `make content` checks the file before it replaces it (a broken text never reaches the running
bot), refused when the file changed since the editor opened it (two editors, or a git pull in between), and written
atomically (a reader sees the old file or the new one, never half of it).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.catalogue.schema import ContentError
from bot.content.schemas.questions import read_questions, said_response
from bot.content.schemas.responses import read_responses, texts_of

#: a line with only this between two texts: the bot says one of them at random
ALTERNATIVES = "---"


class StaleEdit(Exception):
    """The file changed after the editor opened the answer."""


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


def version_of(path: Path) -> str:
    """A fingerprint of the file as it is now; a save with another one is refused."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def find_answer(name: str, responses_file: Path, questions_file: Path) -> AnswerSource | None:
    if name in read_responses(responses_file).responses:
        return AnswerSource(name, responses_file, ("responses", name))
    for intent, question in read_questions(questions_file).questions.items():
        if question.say is not None and said_response(intent) == name:
            return AnswerSource(name, questions_file, ("questions", intent, "say"))
    return None


def all_answers(responses_file: Path, questions_file: Path) -> list[tuple[str, str, str]]:
    """Every answer an editor can change: (name, file name, German text)."""
    responses = read_responses(responses_file).responses
    found = [(name, responses_file.name, texts_of(response.de)[0]) for name, response in responses.items()]
    for intent, question in read_questions(questions_file).questions.items():
        if question.say is not None:
            found.append((said_response(intent), questions_file.name, texts_of(question.say.de)[0]))
    return found


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
    result is no valid file, StaleEdit if the file is not the `version` the editor saw."""
    with _locked(source.path):
        if version_of(source.path) != version:
            raise StaleEdit(str(source.path))
        document = _load(source.path)
        entry = _navigate(document, source.loc)
        for key, texts in changes.items():
            target = entry if not key else _navigate(entry, tuple(int(p) if p.isdigit() else p for p in key.split(".")))
            for language in ("de", "en"):
                if language in texts:
                    target[language] = _stored(texts[language])
        _replace_checked(source.path, document)


def _shown(value: Any) -> str:
    return f"\n{ALTERNATIVES}\n".join(str(text) for text in texts_of(value))


def _stored(text: str) -> Any:
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    parts = [part.strip("\n").replace("\r\n", "\n") for part in text.replace("\r\n", "\n").split(f"\n{ALTERNATIVES}\n")]
    parts = [part.strip() for part in parts]
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


def _replace_checked(path: Path, document: Any) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            _yaml().dump(document, out)
        if path.name == "questions.yml" or "questions" in document:
            read_questions(Path(temporary), display=str(path))
        else:
            read_responses(Path(temporary), display=str(path))
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One save at a time per file, across the web app's processes."""
    with open(path.with_name(f".{path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


__all__ = ["ALTERNATIVES", "AnswerSource", "ContentError", "StaleEdit", "TextField", "all_answers", "find_answer",
           "save_texts", "text_fields", "version_of"]  # fmt: skip
