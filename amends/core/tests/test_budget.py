"""The worker's time budget interrupts the work that runs past it."""

import time

import pytest

from amends.core.budget import TimeBudgetExceeded, time_budget
from amends.core.markup import html_unescape


def test_work_past_its_budget_is_interrupted():
    started = time.perf_counter()
    with pytest.raises(TimeBudgetExceeded, match="The loop ran over its time budget of 0.2 s"):
        with time_budget(0.2, "The loop"):
            while True:
                pass
    assert time.perf_counter() - started < 2


def test_work_within_its_budget_runs_to_the_end_and_leaves_no_timer():
    with time_budget(5, "Nothing much"):
        total = sum(range(1000))
    assert total == 499500
    time.sleep(0.01)


def test_a_shorter_inner_budget_interrupts_and_the_outer_one_still_runs():
    with pytest.raises(TimeBudgetExceeded, match="The outer"):
        with time_budget(0.5, "The outer"):
            with pytest.raises(TimeBudgetExceeded, match="The inner"):
                with time_budget(0.1, "The inner"):
                    time.sleep(2)
            time.sleep(2)


def test_an_overlong_character_reference_decodes_like_any_other():
    assert html_unescape("&#" + "1" * 9000 + ";") == "\ufffd"
    assert html_unescape("&#" + "0" * 9000 + "65;") == "A"
    assert html_unescape("&#0000000065; &#1114112; &#x41; &amp;") == "A \ufffd A &"
