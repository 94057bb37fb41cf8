"""The journey model's vocabularies, defined once: phases, personas and segments."""

from __future__ import annotations

PHASES = ("awareness", "consideration", "decision", "retention", "advocacy")
PERSONAS = ("skeptic", "experience_seeker", "influencer", "budget_owner", "technical")
SEGMENTS = ("b2b", "b2c")
