"""What every editor file's schema shares: strict models, texts in two languages, and problems named by file,
line and field (the YAML tree gives the line, pydantic the field)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, Extra, ValidationError, constr

from bot.catalogue.schema import LANGS, ContentError, ContentProblem

M = TypeVar("M", bound=BaseModel)
NonEmpty = constr(strip_whitespace=True, min_length=1)


class Strict(BaseModel):
    """Unknown fields are mistakes; a checked file is not changed afterwards."""

    class Config:
        extra = Extra.forbid
        allow_mutation = False


class LocalText(Strict):
    """One text in German and English."""

    de: NonEmpty  # type: ignore[valid-type]
    en: NonEmpty  # type: ignore[valid-type]

    def get(self, language: str | None) -> str:
        return self.en if language == "en" else self.de


def _child(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def locate(root: yaml.Node, loc: Sequence[Any]) -> tuple[int, str]:
    """The line of the deepest YAML node on `loc`, and the field as editors read it (entries[3].answer.en)."""
    node, line, parts = root, root.start_mark.line + 1, []
    for key in loc:
        if key in ("__root__", "__key__"):  # a mapping's key that is not allowed: the mapping's line names it
            continue
        if isinstance(key, int):
            parts.append(f"[{key + 1}]")
        else:
            parts.append(f".{key}" if parts else str(key))
        node = _child(node, key)
        if node is not None:
            line = node.start_mark.line + 1
    return line, "".join(parts) or "(file)"


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "value_error.const" and "permitted" in context:  # a value outside a fixed list (a Literal)
        allowed = ", ".join(str(value) for value in context["permitted"])
        what = "name" if error.get("loc") and error["loc"][-1] == "__key__" else "value"
        return f"unknown {what} {context.get('given')!r}; use one of: {allowed}"
    if error.get("loc") and error["loc"][-1] == "__key__":
        return f"a name that is not allowed here ({error['msg']})"
    if kind == "value_error.missing":
        field = error["loc"][-1] if error["loc"] else ""
        return "is missing (needs de: and en:)" if field in LANGS else "is missing"
    if kind == "value_error.extra":
        return "is not a known field (check the spelling)"
    if kind.startswith("value_error.any_str.min_length"):
        return "is empty"
    if kind.startswith("value_error.list.min_items"):
        return "needs at least one item"
    if kind == "type_error.list":
        return "must be a list: [a, b], or one '- item' per line"
    if kind == "type_error.dict":
        return "must be a mapping of fields (name: value), not a single value"
    return str(error["msg"])


def compose(text: str, display: str, shape: str) -> tuple[dict[str, Any], yaml.Node]:
    """The parsed YAML mapping and its tree (for lines); a file that is no YAML mapping raised as ContentError."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = f"not valid YAML: {getattr(exc, 'problem', exc)}"
        raise ContentError([ContentProblem(display, line, "(file)", problem)]) from exc
    if root is None:
        raise ContentError([ContentProblem(display, 1, "(file)", "is empty")])
    document = yaml.safe_load(text)
    if not isinstance(document, dict):
        raise ContentError([ContentProblem(display, 1, "(file)", f"must be a mapping with {shape}")])
    return document, root


def locate_in(root: yaml.Node | None, loc: Sequence[Any]) -> tuple[int, str]:
    """`_locate` for a document that may have no YAML tree (built in code): line 1 then."""
    if root is None:
        root = yaml.compose("{}")
    return locate(root, loc)


def validated(document: Any, root: yaml.Node | None, display: str, model: type[M], shape: str) -> M:
    """The pydantic model of a parsed document; every problem raised as one ContentError."""
    if not isinstance(document, dict):
        raise ContentError([ContentProblem(display, 1, "(file)", f"must be a mapping with {shape}")])
    try:
        return model.parse_obj(document)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            line, field = locate_in(root, error["loc"])
            problems.append(ContentProblem(display, line, field, _message(error)))
        raise ContentError(problems) from exc


def read_document(path: Path, display: str | None, shape: str) -> tuple[dict[str, Any], yaml.Node, str]:
    """An editor file's YAML mapping, its tree (for lines) and the name problems give it (`display`, or the path)."""
    shown = display or str(path)
    document, root = compose(path.read_text(encoding="utf-8"), shown, shape)
    return document, root, shown


def parse_model(text: str, display: str, model: type[M], shape: str) -> tuple[M, yaml.Node]:
    """A pydantic model from YAML text and the YAML tree (for lines); every problem raised as ContentError."""
    document, root = compose(text, display, shape)
    return validated(document, root, display, model, shape), root
