"""Editor-owned content files: one pydantic schema per file, errors with file, line and field."""
