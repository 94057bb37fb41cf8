"""Dialogue policies of the Rasa process."""

from __future__ import annotations

from typing import Any

from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class FastRulePolicy(RulePolicy):
    """Rasa's RulePolicy with the same rules and predictions, whose cost does not grow with the conversation.

    To find the rules that fit, Rasa walks back through every state of the conversation, asking each
    remaining rule whether it fits that state, although a rule fits every state further back than
    its own length (our longest rule has four). This walk stops once no remaining rule is that long.
    """

    def _get_possible_keys(self, lookup: dict[str, Any], states: list[dict[str, Any]]) -> set[str]:
        possible_keys = set(lookup.keys())
        for turn_index, state in enumerate(reversed(states)):
            if all(len(self._rule_key_to_state(key)) <= turn_index for key in possible_keys):
                break  # every remaining rule fits every earlier state
            possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, turn_index, state)}
        return possible_keys

