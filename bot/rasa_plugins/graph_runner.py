"""Running the model's graphs node by node, in one fixed order (runs inside the Rasa process).

Rasa runs its NLU graph once per visitor message and its dialogue graph once per predicted action
(three to six times a turn) with dask: each run works out the minimal graph for its targets, builds a
dask task graph, orders it and schedules every node through dask's local scheduler, about 0.5 ms of
bookkeeping per run for graphs whose nodes are called one after the other anyway. Here the order of
the nodes is worked out once per runner, targets and inputs, and each run calls the same node
objects with the same inputs in that order, returning what Rasa's runner returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_PLANS = "_journey_plans"  # the attribute that keeps a runner's plans


def _plan(runner: Any, targets: Sequence[str], inputs: frozenset[str]) -> list[tuple[str, Any, tuple[str, ...]]]:
    """The nodes the targets need, each after the nodes it needs; inputs stand in for nodes of their name."""
    plans = runner.__dict__.setdefault(_PLANS, {})
    key = (tuple(targets), inputs)
    plan = plans.get(key)
    if plan is None:
        schema = runner._graph_schema.minimal_graph_schema(list(targets))
        plan, seen = [], set(inputs)

        def visit(name: str) -> None:
            if name in seen:
                return
            seen.add(name)
            needs = tuple(schema.nodes[name].needs.values())
            for need in needs:
                visit(need)
            plan.append((name, runner._instantiated_nodes[name], needs))

        for target in targets:
            visit(target)
        plans[key] = plan
    return plan


def run(runner: Any, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
    """`DaskGraphRunner.run` without dask: same nodes, same inputs, same result, same errors."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = targets if targets else runner._graph_schema.target_names
    given = inputs or {}
    plan = _plan(runner, run_targets, frozenset(given))
    for value in given.values():
        if isinstance(value, str) and (value in given or any(value == name for name, _, _ in plan)):
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the input names passed "
                f"to the `run` method are the same as node names in the graph schema."
            )
    results: dict[str, Any] = {name: (name, value) for name, value in given.items()}
    try:
        for name, node, needs in plan:
            results[name] = node(*(results[need] for need in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(results[target] for target in run_targets)


_rasas: dict[str, Any] = {}


def install() -> None:
    """Puts the ordered runs in place of dask's; called once when our Rasa process starts."""
    from rasa.engine.runner.dask import DaskGraphRunner

    if _rasas:
        return
    _rasas["run"] = DaskGraphRunner.run
    DaskGraphRunner.run = run  # type: ignore[method-assign,assignment]
