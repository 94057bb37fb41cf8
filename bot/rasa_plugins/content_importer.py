"""Rasa's training data with the editors' content: the answers (data/content/responses.yml) and the questions
(data/content/questions.yml) become domain responses, intents and rules, for `rasa train`, `rasa data validate` and
`rasa test` (`importers:` in config.yml, in place of Rasa's own file importer, which it extends).

From each question it makes what used to be written by hand, 8–12 places per question:
- the intent in the domain;
- the rule "<question> is answered (and the next step offered)";
- per form in `during:`, the rule "<question> during the form is answered, then it goes on";
- the form's free-text slots leave the question out (`not_intent`), so a question is never taken as the answer
  to the form's question (domain/core.yml lists only the conversation intents there);
- its `say:` text as the response utter_<question>.

The running bot does not answer from these copies of the texts: Rasa asks the NLG endpoint (bot/rasa_plugins/nlg.py),
which reads the files as they are now. The trained model keeps them so that every response name is known to the
policies, the validator and the conversation tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.shared.importers.rasa import RasaFileImporter

from bot.content.schemas.questions import QuestionsFile, answer_steps, read_questions

NEXT_STEP = "action_offer_next_step"


class ContentImporter(RasaFileImporter):
    """Rasa's file importer plus the editors' answers and questions (`responses:` and `questions:` paths may be given
    in config.yml)."""

    def __init__(self, config_file: str | None = None, domain_path: str | None = None,
                 training_data_paths: Any = None, responses: str | None = None,
                 questions: str | None = None) -> None:  # fmt: skip
        from bot.config import load_settings

        super().__init__(config_file, domain_path, training_data_paths)
        settings = load_settings()  # RESPONSES_FILE, QUESTIONS_FILE: what train-and-deploy trains from
        self._responses = Path(responses) if responses else settings.responses_file
        self._questions = Path(questions) if questions else settings.questions_file

    def get_domain(self) -> Domain:
        from bot.responses import domain_responses, load_responses

        questions = read_questions(self._questions)
        answers = load_responses(self._responses, self._questions)
        domain = super().get_domain().merge(
            Domain.from_dict({"intents": list(questions.questions), "responses": domain_responses(answers)})
        )
        return Domain.from_dict(forms_leave_out_questions(domain.as_dict(), questions))

    def get_stories(self, exclusion_percentage: int | None = None) -> StoryGraph:
        rules = question_rules(read_questions(self._questions))
        steps = YAMLStoryReader(self.get_domain(), str(self._questions)).read_from_parsed_yaml(rules)
        return super().get_stories(exclusion_percentage).merge(StoryGraph(steps))


def question_rules(questions: QuestionsFile) -> dict[str, Any]:
    """The rules the questions make, as a rules file's parsed YAML."""
    rules: list[dict[str, Any]] = []
    for intent, question in questions.questions.items():
        answer = answer_steps(intent, question)
        steps = [{"intent": intent}, *({"action": action} for action in answer)]
        if question.next_step:
            rules.append({"rule": f"{intent} is answered and the next step offered",
                          "steps": [*steps, {"action": NEXT_STEP}], "wait_for_user_input": False})  # fmt: skip
        else:
            rules.append({"rule": f"{intent} is answered", "steps": steps})
        during = question.answer_during_form or answer
        for form in question.during:
            rules.append({
                "rule": f"{intent} during {form} is answered, then it goes on",
                "condition": [{"active_loop": form}],
                "steps": [{"intent": intent}, *({"action": action} for action in during), {"action": form},
                          {"active_loop": form}],
            })  # fmt: skip
    return {"version": "3.1", "rules": rules}


def forms_leave_out_questions(domain: dict[str, Any], questions: QuestionsFile) -> dict[str, Any]:
    """Every free-text slot mapping of a form leaves out the questions answered during that form."""
    for slot in (domain.get("slots") or {}).values():
        for mapping in slot.get("mappings") or []:
            forms = {c.get("active_loop") for c in mapping.get("conditions") or []}
            asked = {intent for intent, q in questions.questions.items() if forms & set(q.during)}
            if mapping.get("type") == "from_text" and asked:
                mapping["not_intent"] = sorted(set(mapping.get("not_intent") or []) | asked)
    return domain
