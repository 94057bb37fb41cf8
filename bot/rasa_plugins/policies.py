"""Dialogue policies of the Rasa process."""

from __future__ import annotations

import copy
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

REPLAYED_CONVERSATIONS = 200  # conversations whose replayed history the policy keeps between predictions


@dataclass
class _Replay:
    """A conversation's history replayed so far: the states before each action, and the tracker after them."""

    tracker: DialogueStateTracker
    applied: list[Event] = field(default_factory=list)
    states: list[State] = field(default_factory=list)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class FastRulePolicy(RulePolicy):
    """Rasa's RulePolicy with the same rules and predictions, whose cost does not grow with the conversation.

    For every prediction, Rasa replays the whole conversation to compute the dialogue state before
    each action, then walks back through all of them asking each rule whether it fits, although a
    rule fits every state further back than its own length (our longest has four). Here:
    - the walk stops once no remaining rule is that long;
    - the rules see only the states that long (the debug log shows only those, too);
    - the replay goes on where the previous prediction for the conversation stopped, as long as
      the events it replayed are still the conversation's (a rewind or restart replays anew).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._replays: OrderedDict[str, _Replay] = OrderedDict()
        self._window: int | None = None

    def _get_possible_keys(self, lookup: dict[str, Any], states: list[State]) -> set[str]:
        possible_keys = set(lookup.keys())
        for turn_index, state in enumerate(reversed(states)):
            if all(len(self._rule_key_to_state(key)) <= turn_index for key in possible_keys):
                break  # every remaining rule fits every earlier state
            possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, turn_index, state)}
        return possible_keys

    def _longest_rule(self) -> int:
        if self._window is None:
            keys = [*self.lookup.get(RULES, {}), *self.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
            self._window = max((len(self._rule_key_to_state(key)) for key in keys), default=1)
        return self._window

    def _prediction_states(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        use_text_for_last_user_input: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[State]:
        """The last states of the conversation, as many as the longest rule has, prepared as Rasa's
        featurizer prepares them for a RulePolicy (no rule-only turns ignored, no history cut)."""
        states = [copy.deepcopy(state) for state in self._past_states(tracker, domain)[-self._longest_rule():]]
        self.featurizer._choose_last_user_input([states], use_text_for_last_user_input)
        return states

    def _past_states(self, tracker: DialogueStateTracker, domain: Domain) -> list[State]:
        """`tracker.past_states(domain)`, replaying only the events not replayed before."""
        applied = tracker.applied_events()
        replay = self._replays.pop(tracker.sender_id, None)
        if replay is None or not _continues(replay.applied, applied):
            replay = _Replay(tracker.init_copy())
        for event in applied[len(replay.applied) :]:
            if isinstance(event, ActionExecuted):
                replay.states.append(domain.get_active_state(replay.tracker))
            replay.tracker.update(event)
            replay.applied.append(event)
        self._replays[tracker.sender_id] = replay
        while len(self._replays) > REPLAYED_CONVERSATIONS:
            self._replays.popitem(last=False)
        return [*replay.states, domain.get_active_state(replay.tracker)]

    @staticmethod
    def format_tracker_states(states: list[dict]) -> str:
        """Rasa formats the states for its debug log on every prediction, logged or not."""
        if not logging.getLogger("rasa.core.policies").isEnabledFor(logging.DEBUG):
            return ""
        return RulePolicy.format_tracker_states(states)


def _continues(replayed: list[Event], applied: list[Event]) -> bool:
    """Whether the applied events start with exactly the replayed ones (the same event objects)."""
    if len(replayed) > len(applied):
        return False
    return all(a is b for a, b in zip(replayed, applied[: len(replayed)], strict=True))
