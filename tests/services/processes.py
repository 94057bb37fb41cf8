"""Finding the real processes that fault tests stop, kill and wait for."""

from __future__ import annotations

from pathlib import Path


def find_pid(*words: str) -> int | None:
    """The live process (not a zombie) whose command line, its arguments joined by spaces and ended by one, contains
    every one of `words`: `find_pid("-m bot.action_server ", "--port 5055 ")`; Redis names itself
    `redis-server 127.0.0.1:<port>`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace").replace("\0", " ")
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except (OSError, IndexError):
            continue
        if state != "Z" and all(word in command for word in words):
            return int(entry.name)
    return None
