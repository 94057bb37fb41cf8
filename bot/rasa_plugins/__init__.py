"""Code that runs inside the Rasa server process (see ../shared/architecture.md)."""
