"""Per-slot accuracy and confusion matrices (Markdown) from a journey evaluation run.

    make eval-dev CONVERSATIONS=tests/journey/dev_k_conversations.yml EVAL_ARGS="--json results/dev_k.json"
    .venv/bin/python scripts/journey_confusion.py tests/journey/dev_k_conversations.yml results/dev_k.json

Rows are the expected label, columns what the bot set ("–" = empty); only conversations that
expect a label for the slot count, as in the evaluation script.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

SLOTS = {"phase": ("awareness", "consideration", "decision", "retention", "advocacy"),
         "persona": ("skeptic", "experience_seeker", "influencer", "budget_owner", "technical"),
         "segment": ("b2b", "b2c")}  # fmt: skip
EMPTY = "–"


def confusion(conversations: list[dict], results: dict[str, dict], slot: str) -> tuple[dict, int, int]:
    matrix: dict[str, dict[str, int]] = {}
    right = total = 0
    for conversation in conversations:
        expected = (conversation.get("expect") or {}).get(slot)
        if expected is None or conversation["id"] not in results:
            continue
        got = results[conversation["id"]]["slots"].get(slot) or EMPTY
        matrix.setdefault(expected, {}).setdefault(got, 0)
        matrix[expected][got] += 1
        total += 1
        right += got == expected
    return matrix, right, total


def markdown(slot: str, matrix: dict, right: int, total: int) -> str:
    columns = [*SLOTS[slot], EMPTY]
    rows = [label for label in SLOTS[slot] if label in matrix]
    lines = [f"**{slot}**: {right}/{total} = {right / total:.3f}" if total else f"**{slot}**: no labels", ""]
    lines.append("| expected \\ set | " + " | ".join(columns) + " |")
    lines.append("|---|" + "---|" * len(columns))
    for row in rows:
        cells = [str(matrix[row].get(column, 0) or "") for column in columns]
        cells = [f"**{cell}**" if column == row and cell else cell for cell, column in zip(cells, columns, strict=True)]
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("conversations", type=Path)
    parser.add_argument("results", type=Path, help="the --json output of the evaluation script")
    args = parser.parse_args(argv)
    conversations = yaml.safe_load(args.conversations.read_text(encoding="utf-8"))["conversations"]
    results = {r["id"]: r for r in json.loads(args.results.read_text(encoding="utf-8"))["results"]}
    for slot in SLOTS:
        print(markdown(slot, *confusion(conversations, results, slot)), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
