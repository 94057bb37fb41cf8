"""Running the bot: cluster mode (`make run-cluster`); `make run` is bot/launcher.py."""
