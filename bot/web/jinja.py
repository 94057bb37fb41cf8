"""The web app's Jinja2 environment: templates from bot/web/templates/, every value HTML-escaped.

Autoescape is on for every template, whatever its file name, so a value from a visitor, a salesperson
or an editor file can never become markup. Undefined names fail loudly instead of rendering empty.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.web.i18n import translator

TEMPLATES = Path(__file__).resolve().parent / "templates"


def environment(**filters: Callable[..., Any]) -> Environment:
    """A fresh environment with these extra filters (each caller owns its own, nothing shared to mutate)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)  # fmt: skip
    env.filters.update(filters)
    # the inbox's pages pass `_` and `lang` for an English account (bot/web/i18n.py); everything else is German
    env.globals.update(_=translator("de"), lang="de")
    return env
