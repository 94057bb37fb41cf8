"""Custom actions for the Rasa action server (`rasa run actions --actions actions`).

Actions only coordinate: they read slots, call services in `bot/` and choose responses.
"""
