#!/usr/bin/env python3
"""Score a running bot's answers on labelled multi-turn conversations (issue 11, item 4).

    RASA_AUTH_TOKEN=... python scripts/eval_answers.py tests/answers/dev.yml \
        --url http://localhost:5005 [--json out.json] [--verbose]

Each conversation is sent turn by turn to the REST channel under a fresh random sender id
(nothing else is sent first, no /page_view). The reply of a turn is every bot message the
channel returns for that user message: its text plus the titles of its buttons. After each turn
the tracker (HTTP API, token from the environment variable RASA_AUTH_TOKEN) tells whether the
turn fell back. A turn meets its expectation when every check it names passes and it did not
fall back, unless `fallback: true` allows that. The format is described in tests/answers/README.md.

Exit code 0 (this measures; there is no threshold yet), 2 for a malformed file, 1 when the
token is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

TIMEOUT_S = 30.0
LANGUAGES = ("de", "en")
CONVERSATION_KEYS = {"id", "language", "note", "turns"}
TURN_KEYS = {"user", "expect"}
LIST_CHECKS = ("all", "any", "none", "regex")
EXPECT_KEYS = {*LIST_CHECKS, "fallback"}
# What the bot does when it does not understand (config.yml: FallbackClassifier, RulePolicy's
# core fallback action_default_fallback, which utters utter_default; data/rules/basics.yml:
# nlu_fallback -> utter_fallback, a second one -> utter_default). The two-stage fallback is not
# configured, but detecting it costs nothing should someone switch to it.
FALLBACK_ACTIONS = frozenset(
    {"action_default_fallback", "utter_default", "utter_fallback", "action_two_stage_fallback"}
)
FALLBACK_INTENTS = frozenset({"nlu_fallback"})


class SpecError(ValueError):
    """A malformed answers file; the message names the file, the conversation and the turn."""


@dataclass(frozen=True)
class Expect:
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    fallback: bool = False


@dataclass(frozen=True)
class Turn:
    user: str
    expect: Expect


@dataclass(frozen=True)
class Conversation:
    id: str
    language: str
    turns: tuple[Turn, ...]
    note: str = ""


# ------------------------------------------------------------------------------------ the file


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key written twice in one mapping (PyYAML keeps the last)."""


def _mapping_without_duplicates(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def _where(path: str, conversation: str | None = None, turn: int | None = None) -> str:
    where = path
    if conversation is not None:
        where += f": conversation {conversation!r}"
    if turn is not None:
        where += f", turn {turn}"
    return where


def _string_list(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise SpecError(f"{where}: expect.{key} must be a non-empty list of strings")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise SpecError(f"{where}: expect.{key} holds {item!r}, not a non-empty string")
    return tuple(value)


def parse_expect(raw: Any, where: str) -> Expect:
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: expect must be a mapping with at least one of all/any/none/regex")
    unknown = sorted(set(map(str, raw)) - EXPECT_KEYS)
    if unknown:
        raise SpecError(f"{where}: unknown key(s) in expect: {', '.join(unknown)}")
    if not any(key in raw for key in LIST_CHECKS):
        raise SpecError(f"{where}: expect needs at least one of all/any/none/regex")
    lists = {key: _string_list(raw[key], key, where) for key in LIST_CHECKS if key in raw}
    for pattern in lists.get("regex", ()):
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise SpecError(f"{where}: expect.regex {pattern!r} is not a valid regex ({exc})") from exc
    fallback = raw.get("fallback", False)
    if not isinstance(fallback, bool):
        raise SpecError(f"{where}: expect.fallback must be true or false")
    return Expect(fallback=fallback, **lists)


def parse_conversations(data: Any, path: str = "<answers>") -> list[Conversation]:
    """Checks the loaded YAML strictly and returns the conversations; raises SpecError."""
    if not isinstance(data, dict) or set(data) != {"conversations"}:
        raise SpecError(f"{path}: the file must be a mapping with the single key 'conversations'")
    raw_conversations = data["conversations"]
    if not isinstance(raw_conversations, list) or not raw_conversations:
        raise SpecError(f"{path}: 'conversations' must be a non-empty list")
    conversations: list[Conversation] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_conversations, start=1):
        if not isinstance(raw, dict):
            raise SpecError(f"{path}: conversation no. {index} is not a mapping")
        conv_id = raw.get("id")
        if not isinstance(conv_id, str) or not conv_id.strip():
            raise SpecError(f"{path}: conversation no. {index} has no id (a non-empty string)")
        where = _where(path, conv_id)
        if conv_id in seen:
            raise SpecError(f"{where}: duplicate id")
        seen.add(conv_id)
        unknown = sorted(set(map(str, raw)) - CONVERSATION_KEYS)
        if unknown:
            raise SpecError(f"{where}: unknown key(s): {', '.join(unknown)}")
        if raw.get("language") not in LANGUAGES:
            raise SpecError(f"{where}: language must be one of {', '.join(LANGUAGES)}")
        note = raw.get("note", "")
        if not isinstance(note, str):
            raise SpecError(f"{where}: note must be a string")
        raw_turns = raw.get("turns")
        if not isinstance(raw_turns, list) or not raw_turns:
            raise SpecError(f"{where}: turns must be a non-empty list")
        turns = []
        for number, raw_turn in enumerate(raw_turns, start=1):
            turn_where = _where(path, conv_id, number)
            if not isinstance(raw_turn, dict):
                raise SpecError(f"{turn_where}: a turn must be a mapping with user and expect")
            unknown = sorted(set(map(str, raw_turn)) - TURN_KEYS)
            if unknown:
                raise SpecError(f"{turn_where}: unknown key(s): {', '.join(unknown)}")
            user = raw_turn.get("user")
            if not isinstance(user, str) or not user.strip():
                raise SpecError(f"{turn_where}: user must be a non-empty string")
            if "expect" not in raw_turn:
                raise SpecError(f"{turn_where}: every turn needs an expect")
            turns.append(Turn(user=user, expect=parse_expect(raw_turn["expect"], turn_where)))
        conversations.append(Conversation(id=conv_id, language=raw["language"], turns=tuple(turns), note=note))
    return conversations


def load_conversations(path: Path) -> list[Conversation]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: not valid YAML: {exc}") from exc
    return parse_conversations(data, str(path))


# ----------------------------------------------------------------------------------- checking


def _normalise(text: str) -> str:
    """Case-insensitive and blind to the kind of space: "9.750 €" with a no-break space matches."""
    return re.sub(r"[\u00a0\u202f\u2009]", " ", text).casefold()


def reply_text(messages: Any) -> str:
    """The reply of a turn: each bot message's text plus the titles of its buttons, one per line."""
    parts: list[str] = []
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict):
            continue
        if isinstance(message.get("text"), str):
            parts.append(message["text"])
        for button in message.get("buttons") or []:
            if isinstance(button, dict) and isinstance(button.get("title"), str):
                parts.append(button["title"])
    return "\n".join(parts)


def check_reply(expect: Expect, reply: str, fell_back: bool) -> list[str]:
    """The checks a reply fails, as short reasons; empty when the turn meets its expectation."""
    failures: list[str] = []
    text = _normalise(reply)
    missing = [s for s in expect.all if _normalise(s) not in text]
    if missing:
        failures.append(f"all: missing {missing}")
    if expect.any and not any(_normalise(s) in text for s in expect.any):
        failures.append(f"any: none of {list(expect.any)}")
    present = [s for s in expect.none if _normalise(s) in text]
    if present:
        failures.append(f"none: contains {present}")
    unmatched = [p for p in expect.regex if not re.search(p, reply, re.IGNORECASE)]
    if unmatched:
        failures.append(f"regex: no match for {unmatched}")
    if fell_back and not expect.fallback:
        failures.append("fallback: the turn fell back")
    return failures


def turn_events(events: Sequence[dict], start: int) -> tuple[dict | None, list[dict]]:
    """The turn's user event and the events after it, among the events from index `start` on
    (the tracker's events before the message was sent end at `start`)."""
    new = list(events[start:])
    for index, event in enumerate(new):
        if event.get("event") == "user":
            return event, new[index + 1 :]
    return None, new


def fallback_reasons(user_event: dict | None, after: Iterable[dict]) -> list[str]:
    """Why a turn counts as a fallback: the user event's intent or a fallback action after it."""
    reasons = []
    intent = ((user_event or {}).get("parse_data") or {}).get("intent") or {}
    if intent.get("name") in FALLBACK_INTENTS:
        reasons.append(f"intent {intent['name']}")
    for event in after:
        if event.get("event") == "action" and event.get("name") in FALLBACK_ACTIONS:
            reasons.append(f"action {event['name']}")
    return reasons


# ------------------------------------------------------------------------------------ running


@dataclass
class TurnResult:
    conversation: str
    language: str
    number: int
    user: str
    reply: str = ""
    fell_back: bool = False
    fallback_reasons: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def met(self) -> bool:
        return not self.failures


def http_json(method: str, url: str, body: dict | None = None, timeout: float = TIMEOUT_S) -> Any:
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8") or "null")


def _request_error(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return f"{type(exc.reason).__name__}: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"


class Bot:
    """The REST channel and the tracker of one running Rasa server."""

    def __init__(self, url: str, token: str, timeout: float = TIMEOUT_S) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def send(self, sender: str, message: str) -> Any:
        return http_json("POST", f"{self.url}/webhooks/rest/webhook", {"sender": sender, "message": message},
                         timeout=self.timeout)  # fmt: skip

    def events(self, sender: str) -> list[dict]:
        query = urllib.parse.urlencode({"token": self.token, "include_events": "ALL"})
        tracker = http_json("GET", f"{self.url}/conversations/{urllib.parse.quote(sender)}/tracker?{query}",
                            timeout=self.timeout)  # fmt: skip
        events = (tracker or {}).get("events") if isinstance(tracker, dict) else None
        if not isinstance(events, list):
            raise ValueError("tracker without events")
        return events


def run_conversation(bot: Bot, conversation: Conversation) -> list[TurnResult]:
    sender = f"answers-{uuid.uuid4().hex}"
    results: list[TurnResult] = []
    known_events = 0  # the tracker's length before the next message
    for number, turn in enumerate(conversation.turns, start=1):
        result = TurnResult(conversation.id, conversation.language, number, turn.user)
        results.append(result)
        try:
            result.reply = reply_text(bot.send(sender, turn.user))
        except (OSError, ValueError) as exc:  # URLError, timeouts and bad JSON
            result.error = f"message request failed: {_request_error(exc)}"
            result.failures = [f"error: {result.error}"]
            continue
        try:
            events = bot.events(sender)
        except (OSError, ValueError) as exc:
            result.error = f"tracker request failed: {_request_error(exc)}"
            result.failures = [*check_reply(turn.expect, result.reply, False), f"error: {result.error}"]
            continue
        user_event, after = turn_events(events, known_events)
        known_events = len(events)
        result.fallback_reasons = fallback_reasons(user_event, after)
        result.fell_back = bool(result.fallback_reasons)
        result.failures = check_reply(turn.expect, result.reply, result.fell_back)
    return results


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100.0 * part / whole:.1f} %" if whole else "0/0"


def failure_kind(failure: str) -> str:
    return failure.split(":", 1)[0]


def summarise(conversations: Sequence[Conversation], results: Sequence[TurnResult]) -> dict[str, Any]:
    turns = len(results)
    met = sum(r.met for r in results)
    fell_back = sum(r.fell_back for r in results)
    unexpected = sum(r.fell_back and any(f.startswith("fallback:") for f in r.failures) for r in results)
    by_language = {}
    for language in LANGUAGES:
        subset = [r for r in results if r.language == language]
        if subset:
            by_language[language] = {
                "turns": len(subset),
                "met": sum(r.met for r in subset),
                "fallbacks": sum(r.fell_back for r in subset),
            }
    return {
        "conversations": len(conversations),
        "turns": turns,
        "met": met,
        "met_share": met / turns if turns else 0.0,
        "fallbacks": fell_back,
        "fallback_rate": fell_back / turns if turns else 0.0,
        "unexpected_fallbacks": unexpected,
        "errors": sum(r.error is not None for r in results),
        "by_language": by_language,
        "failed_checks": dict(Counter(failure_kind(f) for r in results for f in r.failures).most_common()),
    }


def print_report(path: str, summary: dict[str, Any], results: Sequence[TurnResult], verbose: bool) -> None:
    if verbose:
        for r in results:
            if r.met:
                continue
            print(f"FAIL {r.conversation} turn {r.number}")
            print(f"  user:  {r.user}")
            reply = r.reply.replace("\n", " | ") if r.reply else "(no reply)"
            print(f"  reply: {reply}")
            if r.fallback_reasons:
                print(f"  fell back: {', '.join(r.fallback_reasons)}")
            for failure in r.failures:
                print(f"  failed {failure}")
        print()
    print(f"Answer quality on {path}")
    print(f"  conversations:      {summary['conversations']}")
    print(f"  turns:              {summary['turns']}")
    print(f"  turns meeting their expectation: {_share(summary['met'], summary['turns'])}")
    print(f"  fallback rate:      {_share(summary['fallbacks'], summary['turns'])}"
          f" ({summary['unexpected_fallbacks']} where it was wrong)")  # fmt: skip
    for language, figures in summary["by_language"].items():
        print(f"    {language}: met {_share(figures['met'], figures['turns'])}, "
              f"fallback {_share(figures['fallbacks'], figures['turns'])}")  # fmt: skip
    if summary["errors"]:
        print(f"  failed requests:    {summary['errors']} (counted as failed turns)")
    if summary["failed_checks"]:
        kinds = ", ".join(f"{kind} {count}" for kind, count in summary["failed_checks"].items())
        print(f"  failed checks:      {kinds}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", type=Path, help="labelled conversations (tests/answers/*.yml)")
    parser.add_argument("--url", default="http://localhost:5005", help="the Rasa server")
    parser.add_argument("--json", type=Path, help="write every turn's result and the summary here")
    parser.add_argument("--verbose", action="store_true", help="show each failing turn")
    args = parser.parse_args(argv)
    try:
        conversations = load_conversations(args.answers)
    except SpecError as exc:
        print(f"malformed answers file: {exc}", file=sys.stderr)
        return 2
    token = os.environ.get("RASA_AUTH_TOKEN", "").strip()
    if not token:
        print("RASA_AUTH_TOKEN is not set: the tracker (fallback detection) needs it.", file=sys.stderr)
        return 1
    bot = Bot(args.url, token)
    results = [result for conversation in conversations for result in run_conversation(bot, conversation)]
    summary = summarise(conversations, results)
    print_report(str(args.answers), summary, results, args.verbose)
    if args.json:
        payload = {"file": str(args.answers), "summary": summary,
                   "turns": [{**asdict(r), "met": r.met} for r in results]}  # fmt: skip
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
