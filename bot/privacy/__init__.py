"""Visitors' data rights (DSGVO): what the bot stores about a person, and how it is exported, deleted and expired.

- `forget.py`: contact details typed without consent removed from the stored conversation (at once, or when idle)
- `records.py`: which conversations a request selects (by conversation id, e-mail address or phone number) and
  every table that holds something of a conversation
- `export.py`: everything stored about them as one JSON document (Art. 15)
- `erase.py`: deleting it everywhere (Art. 17), idempotent
- `retention.py`: what has expired, deleted by the worker once a day (RETENTION_* settings)
- `audit.py`: one record per export, deletion and sweep, without personal data
- `__main__.py`: `python -m bot.privacy export|delete|retention|audit`

docs/privacy.md describes all of it for operators and their data protection officer.
"""
