"""Pydantic schemas for editor-owned files; every problem names file, line and field. One module per file:

- `products`: the product files (`data/content/products/*.yml`, and a remote catalogue's JSON);
- `knowledge`: the knowledge entries (`data/content/knowledge.yml`);
- `messages`: the chat texts that show catalogue data (`data/content/messages.yml`);
- `team`: the sales team and its routing rules (`data/sales/team.yml`);
- `website`: the demo website and the widget's labels (`data/website/site.yml`);
- `responses`: the answers Rasa asks for through its NLG endpoint (`data/content/responses.yml`);
- `questions`: one entry per question the bot answers (`data/content/questions.yml`);
- `journey`: the learned signal's examples, the evidence and the offers (`data/journey/`);
- `base`: what they share.
"""

from bot.content.schemas.base import LocalText, NonEmpty, Strict
from bot.content.schemas.journey import (
    EvidenceEntry,
    EvidenceFile,
    JourneyExample,
    JourneyExamplesFile,
    KeywordEntry,
    OffersFile,
    PageEvidence,
    SignalSection,
    parse_evidence_document,
    parse_journey_examples_text,
    parse_offers_document,
    read_evidence,
    read_offers,
)
from bot.content.schemas.knowledge import (
    GENERAL,
    KnowledgeEntry,
    KnowledgeFile,
    parse_knowledge_text,
    product_ids,
    read_knowledge,
)
from bot.content.schemas.messages import MessagesFile, parse_messages_document, placeholders_of, read_messages
from bot.content.schemas.responses import ResponsesFile, parse_responses_document, read_responses
from bot.content.schemas.team import DAYS, SalespersonEntry, TeamFile, opening_span, parse_team_document, read_team
from bot.content.schemas.website import RESERVED_PATHS, SiteFile, normalize_path, parse_site_document, read_site

__all__ = [
    "DAYS",
    "GENERAL",
    "RESERVED_PATHS",
    "EvidenceEntry",
    "EvidenceFile",
    "JourneyExample",
    "JourneyExamplesFile",
    "KeywordEntry",
    "KnowledgeEntry",
    "KnowledgeFile",
    "LocalText",
    "MessagesFile",
    "NonEmpty",
    "OffersFile",
    "PageEvidence",
    "ResponsesFile",
    "SalespersonEntry",
    "SignalSection",
    "SiteFile",
    "Strict",
    "TeamFile",
    "normalize_path",
    "opening_span",
    "parse_evidence_document",
    "parse_journey_examples_text",
    "parse_knowledge_text",
    "parse_messages_document",
    "parse_offers_document",
    "parse_responses_document",
    "parse_site_document",
    "parse_team_document",
    "placeholders_of",
    "product_ids",
    "read_evidence",
    "read_knowledge",
    "read_messages",
    "read_offers",
    "read_responses",
    "read_site",
    "read_team",
]  # fmt: skip
