"""The journey model: where a visitor stands (phase, persona, segment, language) and why.

- `evidence`: the editor's evidence file, loaded and checked; the label vocabularies
- `inference`: replaying a conversation's messages into the four slots
- `language`, `touchpoint`: the visitor's language and how they arrived
- `offers`: the next step offered by persona, phase and segment
"""
