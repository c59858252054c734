# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pace of one operation: free until throttled, then one slot after another at the learnt rate."""

from __future__ import annotations

import pytest

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.pace import CUT_TO
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.pace import MIN_RATE
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.pace import OperationPace
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.pace import Pace
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import Clock

from ....helpers.fake_workspaces import FakeClock


def paced() -> tuple[OperationPace, FakeClock]:
    clock = FakeClock()
    return OperationPace(Clock(sleep=clock.sleep, monotonic=clock.monotonic)), clock


def accept(pace: OperationPace, clock: FakeClock, calls: int, over: float) -> None:
    """calls accepted answers, evenly over `over` seconds, made without waiting for a slot."""
    for _call in range(calls):
        clock.advance(over / calls)
        pace.answered(0, throttled=False)


def test_until_throttled_calls_go_out_at_once() -> None:
    """No throttled answer, no wait: accepted answers alone never start the pace."""
    pace, clock = paced()
    for _call in range(100):
        pace.answered(pace.take_slot(), throttled=False)
    assert pace.rate is None
    assert clock.sleeps == []


def test_the_first_throttled_answer_sets_the_rate_below_what_aws_accepted() -> None:
    """20 calls accepted in the last second, then one throttled: 0.9 x 20 a second, and from then on
    every call waits for a slot of its own, a whole slot after the cut first."""
    pace, clock = paced()
    accept(pace, clock, 20, over=1.0)
    pace.answered(0, throttled=True)
    assert pace.rate == pytest.approx(CUT_TO * 20)
    interval = 1 / (CUT_TO * 20)
    for _call in range(3):
        pace.take_slot()
    assert clock.sleeps == pytest.approx([interval] * 3)


def test_accepted_answers_older_than_a_second_do_not_count() -> None:
    """What AWS accepted two seconds ago says nothing about its rate now."""
    pace, clock = paced()
    accept(pace, clock, 50, over=0.5)
    clock.advance(1.5)
    accept(pace, clock, 5, over=0.5)
    pace.answered(0, throttled=True)
    assert pace.rate == pytest.approx(CUT_TO * 5)


def test_the_answers_to_calls_in_flight_at_a_cut_do_not_cut_again() -> None:
    """Twenty threads were in flight when the first throttled answer came: their answers were sent at
    the old rate and cut nothing; a throttled answer to a call sent after the cut cuts once more."""
    pace, clock = paced()
    accept(pace, clock, 20, over=1.0)
    in_flight = [pace.take_slot() for _thread in range(20)]
    pace.answered(in_flight[0], throttled=True)
    first = pace.rate
    for ticket in in_flight[1:]:
        pace.answered(ticket, throttled=True)
    assert pace.rate == first
    pace.answered(pace.take_slot(), throttled=True)
    assert pace.rate is not None and first is not None and pace.rate < first


def test_a_storm_takes_the_rate_to_its_floor_and_no_lower() -> None:
    """Throttled with nothing accepted: half a call a second, botocore's floor, however many cuts."""
    pace, _clock = paced()
    for _attempt in range(10):
        pace.answered(pace.take_slot(), throttled=True)
    assert pace.rate == MIN_RATE


def test_accepted_answers_grow_the_rate_back_but_never_past_twice_what_aws_accepted() -> None:
    """After a cut the rate grows back along the CUBIC curve, past the rate that was throttled after a
    while, but never above twice the calls accepted in the last second."""
    pace, clock = paced()
    accept(pace, clock, 20, over=1.0)
    pace.answered(0, throttled=True)
    cut = pace.rate
    assert cut is not None
    rates = []
    for _call in range(100):
        pace.answered(pace.take_slot(), throttled=False)
        rates.append(pace.rate)
    assert all(rate is not None for rate in rates)
    assert max(t for t in rates if t is not None) > 20
    pace_of_one, clock_of_one = paced()
    accept(pace_of_one, clock_of_one, 20, over=1.0)
    pace_of_one.answered(0, throttled=True)
    clock_of_one.advance(30.0)  # long idle: the curve is far up, the accepted rate at one call
    pace_of_one.answered(0, throttled=False)
    assert pace_of_one.rate == pytest.approx(2 * 1)


def test_each_operation_has_its_own_pace() -> None:
    """A throttled RebuildWorkspaces does not slow DescribeWorkspaces: AWS throttles each on its own."""
    clock = FakeClock()
    paces = Pace(Clock(sleep=clock.sleep, monotonic=clock.monotonic))
    paces.of("rebuild_workspaces").answered(0, throttled=True)
    assert paces.of("rebuild_workspaces").rate == MIN_RATE
    assert paces.of("describe_workspaces").rate is None
    assert paces.of("rebuild_workspaces") is paces.of("rebuild_workspaces")
