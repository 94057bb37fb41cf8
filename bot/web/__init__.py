"""The bot's own web parts (port 8000 by default): summary pages for decision makers."""
