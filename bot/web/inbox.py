"""The sales inbox moved to bot/web/blueprints/inbox.py; this name stays until bot/web/app.py imports it there."""

from bot.web.blueprints.inbox import register_inbox

__all__ = ["register_inbox"]
