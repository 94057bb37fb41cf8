"""The questions file (data/content/questions.yml): the shipped file loads and agrees with the rest of the bot,
every mistake an editor can make names file, line and field, and one entry makes the rules, form exceptions,
intent, answer and evidence that used to be written in 8–12 places."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalogue.loader import check_live_files
from bot.catalogue.schema import ContentError
from bot.config import PROJECT_ROOT, settings_from_env
from bot.content.schemas.questions import Known, read_questions
from bot.journey.evidence import load_evidence
from bot.rasa_plugins.content_importer import ContentImporter, forms_leave_out_questions, question_rules
from bot.responses import load_responses

SHIPPED = PROJECT_ROOT / "data" / "content" / "questions.yml"

GOOD = """\
version: 1
questions:
  ask_price:
    answer: [action_show_prices]
    during: [roi_form, lead_form]
    evidence: {phase: decision}
  ask_tco:
    answer: [action_show_costs]
    during: [roi_form]
    answer_during_form: [utter_tco]
    evidence: {phase: decision, persona: {budget_owner: 1.0}}
  ask_support:
    answer: [action_answer_request, action_answer_open_request]
    next_step: false
    evidence: {phase: retention}
  ask_partner_program:
    say:
      de: "Ja, wir haben ein Partnerprogramm."
      en: "Yes, we have a partner programme."
    evidence: {segment: {b2b: 1.0}}
"""


def problems_of(tmp_path: Path, text: str, known: Known | None = None) -> list[str]:
    path = tmp_path / "questions.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        read_questions(path, known=known)
    return [f"line {p.line}, {p.field}: {p.message}" for p in caught.value.problems]


def test_the_shipped_questions_agree_with_the_domain_the_answers_and_the_nlu_data() -> None:
    assert check_live_files(settings_from_env({})) == []
    assert len(read_questions(SHIPPED).questions) >= 20


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    answer: [action_show_prices]\n", "", "line 4, questions.ask_price: needs exactly one of answer"),
        ("    answer: [action_show_costs]\n", "    answer: [action_show_costs]\n    say: {de: a, en: b}\n",
         "line 8, questions.ask_tco: needs exactly one of answer"),
        ("during: [roi_form, lead_form]", "during: [roi_form, callback_form]",
         "line 5, questions.ask_price.during[2]: unknown value 'callback_form'; use one of: roi_form, lead_form"),
        ("    next_step: false\n", "    next_step: false\n    answer_during_form: [utter_support]\n",
         "line 13, questions.ask_support: answer_during_form needs during"),
        ("answer: [action_show_prices]", "answer: [show_prices]", "line 4, questions.ask_price.answer[1]: "),
        ("evidence: {phase: decision}", "evidence: {phase: buying}", "line 6, questions.ask_price.evidence.phase: "
                                                                     "unknown value 'buying'"),
        ("      en: \"Yes, we have a partner programme.\"\n", "", "line 18, questions.ask_partner_program.say.en: "
                                                                "is missing"),
        ("  ask_tco:", "  Ask-TCO:", "line 3, questions: a name that is not allowed here"),
    ],
)  # fmt: skip
def test_every_mistake_names_file_line_and_field(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    found = problems_of(tmp_path, GOOD.replace(old, new, 1))
    assert any(problem.startswith(expected) for problem in found), found


def test_what_the_rest_of_the_bot_does_not_have_is_listed(tmp_path: Path) -> None:
    known = Known(other_intents=frozenset({"ask_price"}), actions=frozenset({"action_show_prices", "action_show_costs",
                  "action_answer_request"}), responses=frozenset({"utter_tco"}),
                  examples={"de": frozenset({"ask_price", "ask_tco", "ask_support", "ask_partner_program"}),
                            "en": frozenset({"ask_price", "ask_tco", "ask_support"})})  # fmt: skip
    found = problems_of(tmp_path, GOOD, known)
    assert found == [
        "line 4, questions.ask_price: is in data/journey/evidence.yml `intents:` too; keep its evidence here, under "
        "evidence:",
        "line 13, questions.ask_support.answer[2]: action_answer_open_request is no action of the bot (domain/*.yml)",
        "line 17, questions.ask_partner_program: has no examples in data/nlu/en/ (write some: `- intent: "
        "ask_partner_program` with examples)",
    ]


def test_one_entry_makes_the_rules_the_form_exceptions_the_answer_and_the_evidence(tmp_path: Path) -> None:
    path = tmp_path / "questions.yml"
    path.write_text(GOOD, encoding="utf-8")
    questions = read_questions(path)
    rules = {rule["rule"]: rule for rule in question_rules(questions)["rules"]}
    assert rules["ask_price is answered and the next step offered"] == {
        "rule": "ask_price is answered and the next step offered", "wait_for_user_input": False,
        "steps": [{"intent": "ask_price"}, {"action": "action_show_prices"}, {"action": "action_offer_next_step"}],
    }  # fmt: skip
    assert rules["ask_tco during roi_form is answered, then it goes on"]["steps"] == [
        {"intent": "ask_tco"}, {"action": "utter_tco"}, {"action": "roi_form"}, {"active_loop": "roi_form"}]
    assert rules["ask_support is answered"]["steps"][1:] == [
        {"action": "action_answer_request"}, {"action": "action_answer_open_request"}]  # no next step, waits
    assert rules["ask_partner_program is answered and the next step offered"]["steps"][1] == {
        "action": "utter_ask_partner_program"}
    assert len(rules) == 4 + 3  # an answer rule each, and one per form in `during`

    domain = {"slots": {"roi_units": {"mappings": [
        {"type": "from_text", "not_intent": ["stop"], "conditions": [{"active_loop": "roi_form"}]}]},
        "lead_name": {"mappings": [{"type": "from_text", "conditions": [{"active_loop": "callback_form"}]}]}}}
    forms_leave_out_questions(domain, questions)
    assert domain["slots"]["roi_units"]["mappings"][0]["not_intent"] == ["ask_price", "ask_tco", "stop"]
    assert "not_intent" not in domain["slots"]["lead_name"]["mappings"][0]  # no question is answered in that form

    responses = tmp_path / "responses.yml"
    responses.write_text("version: 1\nresponses:\n  utter_tco: {de: 'Drei Jahre', en: 'Three years'}\n")
    said = load_responses(responses, path).answer("utter_ask_partner_program", {"language": "en"})
    assert said is not None and said["text"] == "Yes, we have a partner programme."
    evidence = tmp_path / "evidence.yml"
    evidence.write_text("intents:\n  greet: {initial_phase: awareness}\n", encoding="utf-8")
    model = load_evidence(evidence, path)
    assert model.intents["ask_tco"].persona == {"budget_owner": 1.0} and model.intents["greet"].initial_phase


def test_a_text_in_both_files_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "questions.yml"
    path.write_text(GOOD, encoding="utf-8")
    responses = tmp_path / "responses.yml"
    responses.write_text("version: 1\nresponses:\n  utter_ask_partner_program: {de: 'Ja', en: 'Yes'}\n")
    with pytest.raises(ContentError, match="utter_ask_partner_program is in responses.yml too"):
        load_responses(responses, path)


def test_rasa_sees_the_questions_as_intents_rules_and_responses() -> None:
    """What `rasa train` and `rasa data validate` read (config.yml importers:)."""
    importer = ContentImporter(str(PROJECT_ROOT / "config.yml"), str(PROJECT_ROOT / "domain"),
                               [str(PROJECT_ROOT / "data" / "nlu"), str(PROJECT_ROOT / "data" / "rules")])  # fmt: skip
    domain = importer.get_domain()
    questions = read_questions(SHIPPED).questions
    assert set(questions) <= set(domain.intents)
    names = {step.block_name for step in importer.get_stories().story_steps}
    for intent, question in questions.items():
        assert any(name.startswith(f"{intent} is answered") for name in names), intent
        for form in question.during:
            assert f"{intent} during {form} is answered, then it goes on" in names
    assert {"utter_greet", "utter_tco"} <= set(domain.responses)
