"""Dialogue policies of the Rasa process."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

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
    - only the rules whose last state names the current previous action and intent (or leaves them open)
      are checked at all: a few dozen of some 200;
    - the walk stops once no remaining rule is that long;
    - the rules see only the states that long (the debug log shows only those, too);
    - the replay goes on where the previous prediction for the conversation stopped, as long as
      the events it replayed are still the conversation's (a rewind or restart replays anew).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._replays: OrderedDict[str, _Replay] = OrderedDict()
        self._window: int | None = None
        self._prepared_lookups: dict[int, tuple[dict[str, Any], list[tuple[str, list[State]]]]] = {}
        self._indexes: dict[int, tuple[dict[str, Any], dict[tuple[Any, Any], list[tuple[str, list[State]]]]]] = {}

    def _get_possible_keys(self, lookup: dict[str, Any], states: list[State]) -> set[str]:
        """The rules of `lookup` that fit the conversation's states: Rasa's `_is_rule_applicable` for each,
        with every rule's states read, reversed and prepared once instead of on every check."""
        possible = self._candidates(lookup, states[-1]) if states else self._prepared(lookup)
        for turn_index, state in enumerate(reversed(states)):
            if all(len(rule) <= turn_index for _, rule in possible):
                break  # every remaining rule fits every earlier state
            previous_action = state.get(PREVIOUS_ACTION)
            possible = [(key, rule) for key, rule in possible
                        if len(rule) <= turn_index or _fits(rule[turn_index], state, previous_action)]  # fmt: skip
        return {key for key, _ in possible}

    def _prepared(self, lookup: dict[str, Any]) -> list[tuple[str, list[State]]]:
        """Each rule's states, last first, with JSON's lists turned back into tuples (as Rasa compares them)."""
        cached = self._prepared_lookups.get(id(lookup))
        if cached is None or cached[0] is not lookup:
            rules = [(key, [_tuples(state) for state in reversed(self._rule_key_to_state(key))]) for key in lookup]
            cached = self._prepared_lookups[id(lookup)] = (lookup, rules)
        return cached[1]

    def _candidates(self, lookup: dict[str, Any], current: State) -> list[tuple[str, list[State]]]:
        """The rules that may fit the current state: those whose last state names its previous action and
        intent, or leaves them open (every other rule fails `_fits` there); then checked as any rule."""
        if not current.get(PREVIOUS_ACTION):  # the conversation's start: every rule that starts one fits, any intent
            return self._prepared(lookup)
        index = self._indexes.get(id(lookup))
        if index is None or index[0] is not lookup:
            by_last: dict[tuple[Any, Any], list[tuple[str, list[State]]]] = {}
            for key, rule in self._prepared(lookup):
                last = rule[0] if rule else {}
                by_last.setdefault((_required(last, PREVIOUS_ACTION, ACTION_NAME), _required(last, USER, INTENT)),
                                   []).append((key, rule))  # fmt: skip
            index = self._indexes[id(lookup)] = (lookup, by_last)
        by_last = index[1]
        action = (current.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
        intent = (current.get(USER) or {}).get(INTENT)
        buckets = {(action, intent), (action, _OPEN), (_OPEN, intent), (_OPEN, _OPEN)}
        return [rule for bucket in buckets for rule in by_last.get(bucket, ())]

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
        # copies two levels deep: the featurizer deletes keys of the sub-states; the values are never changed
        past = self._past_states(tracker, domain)[-self._longest_rule() :]
        states = [{kind: dict(sub) for kind, sub in state.items()} for state in past]
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


_OPEN = object()  # a rule's last state that leaves the previous action or the intent open


def _required(state: State, kind: str, key: str) -> Any:
    """The value a rule's state requires for `state[kind][key]` (as `_does_rule_match_state` compares it), or
    _OPEN when any value fits."""
    value = (state.get(kind) or {}).get(key)
    return value if value and value != SHOULD_NOT_BE_SET and isinstance(value, str) else _OPEN


def _tuples(state: State) -> State:
    return {kind: {key: tuple(value) if isinstance(value, list) else value for key, value in sub.items()}
            for kind, sub in state.items()}  # fmt: skip


def _fits(rule_state: State, state: State, previous_action: Any) -> bool:
    """`RulePolicy._is_rule_applicable` for a turn within the rule's length."""
    rule_previous_action = rule_state.get(PREVIOUS_ACTION)
    if not rule_previous_action and not previous_action:
        return True  # both start the conversation
    if not rule_previous_action or not previous_action:
        return False
    return RulePolicy._does_rule_match_state(rule_state, state)


def _continues(replayed: list[Event], applied: list[Event]) -> bool:
    """Whether the applied events start with exactly the replayed ones (the same event objects)."""
    if len(replayed) > len(applied):
        return False
    return all(a is b for a, b in zip(replayed, applied[: len(replayed)], strict=True))
