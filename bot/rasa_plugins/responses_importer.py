"""The editor-owned answers (data/content/responses.yml) as domain responses, for `rasa train`, `rasa data validate`
and `rasa test` (`importers:` in config.yml, after Rasa's own file importer).

The running bot does not answer from these copies: Rasa asks the NLG endpoint (bot/rasa_plugins/nlg.py), which
reads the file as it is now. The trained model keeps them so that every response name is known to the policies,
the validator and the conversation tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.config import PROJECT_ROOT

RESPONSES_FILE = PROJECT_ROOT / "data" / "content" / "responses.yml"


class EditorResponsesImporter(TrainingDataImporter):
    """Adds the responses of data/content/responses.yml (or `path:` in config.yml) to the domain; nothing else."""

    def __init__(self, config_file: str | None = None, domain_path: str | None = None,
                 training_data_paths: Any = None, path: str | None = None) -> None:  # fmt: skip
        self._path = Path(path) if path else RESPONSES_FILE

    def get_domain(self) -> Domain:
        from bot.responses import domain_responses, load_responses

        return Domain.from_dict({"responses": domain_responses(load_responses(self._path))})

    def get_stories(self, exclusion_percentage: int | None = None) -> StoryGraph:
        return StoryGraph([])

    def get_conversation_tests(self) -> StoryGraph:
        return StoryGraph([])

    def get_config(self) -> dict[str, Any]:
        return {}

    def get_config_file_for_auto_config(self) -> str | None:
        return None

    def get_nlu_data(self, language: str | None = "en") -> TrainingData:
        return TrainingData()
