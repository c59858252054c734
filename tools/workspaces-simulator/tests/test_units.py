"""Unit tests of the simulator's building blocks, without a server."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workspaces_simulator.backend import PageToken, SimulatedWorkSpacesBackend
from workspaces_simulator.calls import workspace_ids_in
from workspaces_simulator.errors import InvalidParameterValuesException, ValidationException
from workspaces_simulator.faults import ThrottleSpec, TokenBucket
from workspaces_simulator.lifecycle import ACTIONS, Timing, action_named
from workspaces_simulator.scenario import (
    WORKSPACE_ID_PATTERN,
    ScenarioError,
    parse_scenario,
    parse_time,
)
from workspaces_simulator.server import SimulatorServer, is_loopback
from workspaces_simulator.validation import validate_request

NOW = 1_800_000_000.0


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# Ids only depend on the key and the WorkSpaces present; an empty backend can be shared.
EMPTY_BACKEND = SimulatedWorkSpacesBackend()


@given(st.text(min_size=1, max_size=40))
def test_generated_ids_match_the_model_pattern(key: str) -> None:
    """Any seed key gives a valid, deterministic WorkSpace id."""
    workspace_id = EMPTY_BACKEND.allocate_workspace_id(key)
    assert WORKSPACE_ID_PATTERN.match(workspace_id)
    assert EMPTY_BACKEND.allocate_workspace_id(key) == workspace_id


@given(st.integers(min_value=-1, max_value=10**9))
def test_page_tokens_round_trip(sequence: int) -> None:
    """A token decodes to the sequence number it was made from."""
    assert PageToken.decode(PageToken.encode(sequence)) == sequence


@pytest.mark.parametrize("token", ["%%%", "bm90IGpzb24", "eyJ4IjogMX0", "eyJhZnRlciI6ICJ4In0"])
def test_bad_page_tokens(token: str) -> None:
    """Garbage, non-JSON, wrong keys and wrong types are all refused."""
    with pytest.raises(InvalidParameterValuesException):
        PageToken.decode(token)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2024, 1, 1, tzinfo=dt.UTC), 1704067200.0),
        (dt.datetime(2024, 1, 1), 1704067200.0),
        (dt.date(2024, 1, 1), 1704067200.0),
        ("2024-01-01T00:00:00Z", 1704067200.0),
        (1704067200, 1704067200.0),
        ("now", NOW),
        ("-90s", NOW - 90),
        ("-2h", NOW - 7200),
        ("-1.5d", NOW - 129600),
    ],
)
def test_parse_time(value: Any, expected: float) -> None:
    """Times may be datetimes, ISO strings, epoch numbers, "now" or relative."""
    assert parse_time(value, NOW, "t") == expected


def test_parse_time_refuses_nonsense() -> None:
    """Unreadable times are scenario errors."""
    with pytest.raises(ScenarioError):
        parse_time("last tuesday", NOW, "t")


def test_fleet_users_are_padded_to_the_fleet_size() -> None:
    """User numbers are zero-padded to at least three digits, more for big fleets."""
    plan = parse_scenario(
        {"directories": [{"name": "x.example.com", "fleets": [{"name": "big", "count": 1200}]}]},
        NOW,
    )
    assert plan.workspaces[0].user_name == "big0001"
    assert plan.workspaces[-1].user_name == "big1200"


def test_token_bucket() -> None:
    """Starts full at ``burst``, refills at ``rate`` per second, never above ``burst``."""
    clock = FakeClock()
    bucket = TokenBucket(ThrottleSpec(rate=2, burst=2), clock)
    assert [bucket.take() for _attempt in range(3)] == [True, True, False]
    clock.now += 0.5
    assert [bucket.take() for _attempt in range(2)] == [True, False]
    clock.now += 100
    assert [bucket.take() for _attempt in range(3)] == [True, True, False]


def test_workspace_ids_in_requests() -> None:
    """Ids come from WorkspaceIds, *Requests, WorkspaceId and ws- ResourceIds, once each."""
    assert workspace_ids_in({"WorkspaceIds": ["ws-a0000000", "ws-b0000000", "ws-a0000000"]}) == [
        "ws-a0000000",
        "ws-b0000000",
    ]
    assert workspace_ids_in({"StopWorkspaceRequests": [{"WorkspaceId": "ws-c0000000"}, {}]}) == [
        "ws-c0000000"
    ]
    assert workspace_ids_in({"WorkspaceId": "ws-d0000000"}) == ["ws-d0000000"]
    assert workspace_ids_in({"ResourceId": "ws-e0000000"}) == ["ws-e0000000"]
    assert workspace_ids_in({"ResourceId": "d-1234567890"}) == []


def test_validation_reports_every_violation() -> None:
    """All violations are listed in one message."""
    with pytest.raises(ValidationException) as caught:
        validate_request(
            "StopWorkspaces",
            {"StopWorkspaceRequests": [{"WorkspaceId": "nope"}] * 26},
        )
    assert caught.value.message.startswith("27 validation errors detected: ")
    assert "stopWorkspaceRequests.1.member.workspaceId" in caught.value.message


def test_timing() -> None:
    """Durations are merged, checked, and scaled by speed."""
    timing = Timing().updated(speed=1000, durations={"RebuildWorkspaces": 2400})
    assert timing.action_real_seconds(ACTIONS["rebuild"]) == pytest.approx(2.4)
    with pytest.raises(ValueError):
        Timing().updated(speed=0)
    with pytest.raises(ValueError):
        Timing().updated(durations={"rebuild": -1})
    with pytest.raises(ValueError):
        Timing.from_dict({"sped": 2})


def test_action_names() -> None:
    """Actions are found by short name, any case, or operation name."""
    assert action_named("Rebuild") is ACTIONS["rebuild"]
    assert action_named("StopWorkspaces") is ACTIONS["stop"]
    with pytest.raises(ValueError):
        action_named("TerminateWorkspaces")


def test_transitions_follow_a_fake_clock() -> None:
    """State is computed lazily from timestamps."""
    clock = FakeClock()
    backend = SimulatedWorkSpacesBackend(timing=Timing(speed=10), clock=clock)
    plan = parse_scenario(
        {"directories": [{"name": "c.example.com", "workspaces": [{"user": "u"}]}]}, NOW
    )
    workspace_id = backend.add_workspace(plan.workspaces[0])
    assert backend.start_action(ACTIONS["reboot"], workspace_id) is None
    workspace = backend.workspaces[workspace_id]
    assert backend.true_state(workspace) == "REBOOTING"
    clock.now += 17.9
    assert backend.true_state(workspace) == "REBOOTING"
    clock.now += 0.2
    assert backend.true_state(workspace) == "AVAILABLE"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("example.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    """Only loopback hosts are accepted."""
    assert is_loopback(host) is loopback


def test_server_refuses_other_hosts() -> None:
    """The server class itself refuses to bind anything but loopback."""
    with pytest.raises(ValueError):
        SimulatorServer(host="0.0.0.0")
