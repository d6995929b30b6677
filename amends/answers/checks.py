"""What must hold before a letter is sent: each part of the app registers its own check, and the
send service runs them all, so the screen, the API and the worker refuse the same letters."""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Letter


@dataclass(frozen=True)
class Problem:
    code: str  # e.g. "missing:compensation", "tone", "compensation:pending"
    message: str
    url: str = ""  # where it is put right
    # A finding the sender may override by giving a reason (the tone check's); others block.
    overridable: bool = False


LetterCheck = Callable[[Letter], list[Problem]]
_CHECKS: dict[str, LetterCheck] = {}


def register_send_check(name: str, check: LetterCheck) -> None:
    _CHECKS[name] = check


def letter_problems(letter: Letter) -> list[Problem]:
    return [problem for check in _CHECKS.values() for problem in check(letter)]
