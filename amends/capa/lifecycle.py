"""A nonconformity's lifecycle, one table: open → analysed → actions planned → actions done →
effectiveness checked → closed; an action found not effective reopens it (back to open)."""

from dataclasses import dataclass

from .choices import NonconformityState as S


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    target: str


ANALYSE, PLAN, ACTIONS_DONE, CHECKED, CLOSE, REOPEN = "analyse", "plan", "actions_done", "checked", "close", "reopen"

STEPS: dict[str, Step] = {
    ANALYSE: Step(frozenset({S.OPEN}), S.ANALYSED),
    PLAN: Step(frozenset({S.ANALYSED}), S.ACTIONS_PLANNED),
    ACTIONS_DONE: Step(frozenset({S.ACTIONS_PLANNED}), S.ACTIONS_DONE),
    CHECKED: Step(frozenset({S.ACTIONS_DONE}), S.EFFECTIVENESS_CHECKED),
    CLOSE: Step(frozenset({S.EFFECTIVENESS_CHECKED}), S.CLOSED),
    REOPEN: Step(frozenset({S.ACTIONS_PLANNED, S.ACTIONS_DONE, S.EFFECTIVENESS_CHECKED, S.CLOSED}), S.OPEN),
}


def allowed_steps(state: str) -> list[str]:
    return [name for name, step in STEPS.items() if state in step.sources]
