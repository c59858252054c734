"""Scheduled changes of state and connection state: on a timer, after N calls, and at once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from workspaces_simulator.control import SimulatorControlError
from workspaces_simulator.core import Simulator
from workspaces_simulator.lifecycle import ACTIONS
from workspaces_simulator.scenario import parse_scenario
from workspaces_simulator.server import SimulatorServer

from .conftest import ClientFactory, Seeder
from .helpers import described_state, true_state, wait_for


def connection_of(client: Any, workspace_id: str) -> dict[str, Any]:
    """The DescribeWorkspacesConnectionStatus entry of one WorkSpace."""
    response = client.describe_workspaces_connection_status(WorkspaceIds=[workspace_id])
    (status,) = response["WorkspacesConnectionStatus"]
    return dict(status)


def rebuild(client: Any, workspace_id: str) -> list[dict[str, str]]:
    """Rebuild one WorkSpace; its FailedRequests."""
    response = client.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    return list(response["FailedRequests"])


def after_calls(operation: str, count: Any = 1, **extra: Any) -> dict[str, Any]:
    """An ``after_calls`` trigger."""
    return {"after_calls": {"operation": operation, "count": count, **extra}}


# --------------------------------------------------------------------- on a timer


def test_a_timed_state_change_cancels_the_rebuild_and_the_stale_view(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """Like set_state: the running rebuild is dropped and DescribeWorkspaces stops lagging."""
    simulator.control.set_timing(stale_seconds=3600)
    (workspace_id,) = seed("ERROR")
    assert rebuild(client, workspace_id) == []
    simulator.control.set_schedule(
        [{"workspace_id": workspace_id, "state": "AVAILABLE", "after_seconds": 0.3}]
    )
    assert described_state(client, workspace_id) == "ERROR"  # stale
    assert true_state(simulator.control, workspace_id) == "REBUILDING"
    wait_for(lambda: true_state(simulator.control, workspace_id), lambda s: s == "AVAILABLE")
    assert "Transition" not in simulator.control.workspace(workspace_id)
    assert described_state(client, workspace_id) == "AVAILABLE"
    assert simulator.control.schedule() == []


def test_a_timed_change_is_seen_by_the_first_api_read_after_its_time(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """No control read is needed in between: the API call itself applies the due change."""
    (workspace_id,) = seed("AVAILABLE")
    simulator.control.set_schedule(
        [{"workspace_id": workspace_id, "state": "TERMINATED", "after_seconds": 0.2}]
    )
    assert described_state(client, workspace_id) == "AVAILABLE"
    time.sleep(0.25)
    assert described_state(client, workspace_id) == "TERMINATED"


def test_a_timed_connection_change(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """The connection state changes with its check time; the user's last connection is then."""
    (workspace_id,) = seed("AVAILABLE")
    before = connection_of(client, workspace_id)
    assert before["ConnectionState"] == "DISCONNECTED"
    assert "LastKnownUserConnectionTimestamp" not in before
    scheduled_at = time.time()
    simulator.control.set_schedule(
        [{"workspace_id": workspace_id, "connection_state": "CONNECTED", "after_seconds": 0.2}]
    )
    time.sleep(0.25)
    after = connection_of(client, workspace_id)
    assert after["ConnectionState"] == "CONNECTED"
    # Stamped with the event's due time, not the time of the read that applied it.
    checked = after["ConnectionStateCheckTimestamp"].timestamp()
    assert checked == pytest.approx(scheduled_at + 0.2, abs=0.1)
    assert after["LastKnownUserConnectionTimestamp"].timestamp() == checked
    assert true_state(simulator.control, workspace_id) == "AVAILABLE"
    assert simulator.control.workspace(workspace_id)["Connection"]["ConnectionState"] == "CONNECTED"


def test_state_and_connection_in_one_event(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """An event may change both; after_seconds 0 is due at the next read."""
    (workspace_id,) = seed("AVAILABLE", connection={"state": "CONNECTED"})
    simulator.control.set_schedule(
        [
            {
                "workspace_id": workspace_id,
                "state": "STOPPED",
                "connection_state": "DISCONNECTED",
                "after_seconds": 0,
            }
        ]
    )
    assert described_state(client, workspace_id) == "STOPPED"
    assert connection_of(client, workspace_id)["ConnectionState"] == "DISCONNECTED"


# ----------------------------------------------------------------- after N calls


def test_a_workspace_turns_available_after_the_second_rebuild_call(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """The change lands right after the 2nd call is carried out, not before."""
    first, second = seed("ERROR", "ERROR")
    simulator.control.set_schedule(
        [{"workspace_id": first, "state": "AVAILABLE", **after_calls("RebuildWorkspaces", 2)}]
    )
    assert rebuild(client, first) == []
    assert true_state(simulator.control, first) == "REBUILDING"
    assert rebuild(client, second) == []
    assert true_state(simulator.control, first) == "AVAILABLE"
    assert true_state(simulator.control, second) == "REBUILDING"
    assert simulator.control.schedule() == []


def test_the_change_is_in_place_before_the_next_call_is_served(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """The Nth call still sees the old state; the next one sees the new state."""
    (workspace_id,) = seed("AVAILABLE")
    simulator.control.set_schedule(
        [{"workspace_id": workspace_id, "state": "UNHEALTHY", **after_calls("DescribeWorkspaces")}]
    )
    assert described_state(client, workspace_id) == "AVAILABLE"
    assert described_state(client, workspace_id) == "UNHEALTHY"


def test_a_user_connects_after_the_first_describe_call(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """ws-c's user becomes CONNECTED after the 1st DescribeWorkspaces call."""
    (workspace_id,) = seed("AVAILABLE")
    simulator.control.set_schedule(
        [
            {
                "workspace_id": workspace_id,
                "connection_state": "CONNECTED",
                **after_calls("DescribeWorkspaces"),
            }
        ]
    )
    assert connection_of(client, workspace_id)["ConnectionState"] == "DISCONNECTED"
    client.describe_workspaces()
    status = connection_of(client, workspace_id)
    assert status["ConnectionState"] == "CONNECTED"
    assert status["LastKnownUserConnectionTimestamp"].timestamp() == pytest.approx(
        time.time(), abs=5
    )


def test_only_calls_that_pass_fault_injection_count(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """Throttled calls do not count; lost answers and forced FailedRequests do."""
    target, other = seed("AVAILABLE", "ERROR")
    simulator.control.set_faults(
        {
            "RebuildWorkspaces": {
                "throttle": {"rate": 0, "burst": 2},
                "lose_answers": {"count": 1},
                "failed_requests": [other],
            }
        }
    )
    simulator.control.set_schedule(
        [{"workspace_id": target, "state": "ERROR", **after_calls("RebuildWorkspaces", 2)}]
    )
    with pytest.raises(ClientError):  # lost answer: counts (1)
        rebuild(client, other)
    assert true_state(simulator.control, target) == "AVAILABLE"
    (failure,) = rebuild(client, other)  # forced FailedRequests entry: counts (2)
    assert failure["ErrorCode"] == "InternalError"
    assert true_state(simulator.control, target) == "ERROR"
    # With the event gone, a throttled call shows the bucket was what stopped it.
    simulator.control.set_state(target, "AVAILABLE")
    simulator.control.set_schedule(
        [{"workspace_id": target, "state": "ERROR", **after_calls("RebuildWorkspaces", 1)}]
    )
    with pytest.raises(ClientError) as caught:
        rebuild(client, other)
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"
    assert true_state(simulator.control, target) == "AVAILABLE"
    assert len(simulator.control.schedule()) == 1


def test_calls_are_counted_from_when_the_schedule_is_set(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """Calls made before set_schedule do not count, and the schedule reports what remains."""
    (workspace_id,) = seed("AVAILABLE")
    client.describe_workspaces()
    client.describe_workspaces()
    simulator.control.set_schedule(
        [{"workspace_id": workspace_id, "state": "ERROR", **after_calls("DescribeWorkspaces", 3)}]
    )
    client.describe_workspaces()
    assert simulator.control.schedule() == [
        {
            "workspace_id": workspace_id,
            "state": "ERROR",
            "after_calls": {"operation": "DescribeWorkspaces", "count": 2},
        }
    ]
    # Zeroing the call counts does not touch the schedule's own count.
    simulator.control.reset_calls()
    client.describe_workspaces()
    assert true_state(simulator.control, workspace_id) == "AVAILABLE"
    client.describe_workspaces()
    assert true_state(simulator.control, workspace_id) == "ERROR"


def test_naming_counts_only_calls_naming_that_workspace(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """With naming, calls about other WorkSpaces do not count."""
    first, second = seed("ERROR", "ERROR")
    trigger = after_calls("RebuildWorkspaces", 1, naming=second)
    simulator.control.set_schedule([{"workspace_id": first, "state": "STOPPED", **trigger}])
    rebuild(client, first)
    assert true_state(simulator.control, first) == "REBUILDING"
    rebuild(client, second)
    assert true_state(simulator.control, first) == "STOPPED"


def test_identical_events_fire_in_list_order(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """Events completed by the same call apply in the order they were listed: the last wins."""
    (workspace_id,) = seed("AVAILABLE")
    trigger = after_calls("DescribeTags")
    simulator.control.set_schedule(
        [
            {"workspace_id": workspace_id, "state": "ERROR", **trigger},
            {"workspace_id": workspace_id, "state": "IMPAIRED", **trigger},
        ]
    )
    client.describe_tags(ResourceId=workspace_id)
    assert true_state(simulator.control, workspace_id) == "IMPAIRED"


def test_concurrent_calls_fire_an_event_exactly_once(
    simulator: SimulatorServer, make_client: ClientFactory, seed: Seeder
) -> None:
    """Counting runs under the simulator lock: the 5th of 16 concurrent calls fires it, once."""
    (workspace_id,) = seed("AVAILABLE")
    simulator.control.set_schedule(
        [
            {
                "workspace_id": workspace_id,
                "state": "ERROR",
                **after_calls("DescribeWorkspaces", 5),
            },
            {
                "workspace_id": workspace_id,
                "state": "STOPPED",
                **after_calls("DescribeWorkspaces", 16),
            },
        ]
    )
    client = make_client()
    with ThreadPoolExecutor(max_workers=8) as pool:
        states = list(pool.map(lambda _i: described_state(client, workspace_id), range(16)))
    assert states.count("AVAILABLE") == 5
    assert states.count("ERROR") == 11
    assert true_state(simulator.control, workspace_id) == "STOPPED"


def test_a_change_for_a_terminated_workspace_is_dropped(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """A WorkSpace terminated before its event is due is gone; the event is discarded."""
    target, other = seed("AVAILABLE", "AVAILABLE")
    simulator.control.set_schedule(
        [{"workspace_id": target, "state": "ERROR", **after_calls("TerminateWorkspaces")}]
    )
    client.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": target}])
    assert [w["WorkspaceId"] for w in simulator.control.workspaces()] == [other]
    assert simulator.control.schedule() == []


# --------------------------------------------------------------- the control API


def test_pending_events_round_trip(simulator: SimulatorServer, seed: Seeder) -> None:
    """schedule() reports what remains in the format set_schedule reads."""
    first, second = seed("AVAILABLE", "AVAILABLE")
    events = [
        {"workspace_id": first, "state": "ERROR", "after_seconds": 60},
        {
            "workspace_id": second,
            "connection_state": "UNKNOWN",
            **after_calls("RebootWorkspaces", 2, naming=first),
        },
    ]
    returned = simulator.control.set_schedule(events)
    assert returned[1] == events[1]
    assert returned[0]["after_seconds"] == pytest.approx(60, abs=1)
    pending = simulator.control.schedule()
    assert pending[0]["after_seconds"] <= returned[0]["after_seconds"]
    assert simulator.control.set_schedule(pending)[1] == events[1]


@pytest.mark.parametrize("clear", [[], {}, {"events": []}])
def test_an_empty_schedule_clears(
    simulator: SimulatorServer, seed: Seeder, clear: list[Any] | dict[str, Any]
) -> None:
    """A JSON [] or {} (or no events) replaces the schedule by nothing."""
    (workspace_id,) = seed("AVAILABLE")
    simulator.control.set_schedule(
        [{"workspace_id": workspace_id, "state": "ERROR", "after_seconds": 60}]
    )
    answer = simulator.control._call("PUT", "schedule", clear)  # pylint: disable=protected-access
    assert answer == {"events": []}
    assert simulator.control.schedule() == []


def test_a_bare_json_list_is_accepted(simulator: SimulatorServer, seed: Seeder) -> None:
    """PUT /_sim/schedule takes the events as a list, or as {"events": [...]}."""
    (workspace_id,) = seed("AVAILABLE")
    event = {"workspace_id": workspace_id, "state": "ERROR", **after_calls("DescribeWorkspaces")}
    answer = simulator.control._call("PUT", "schedule", [event])  # pylint: disable=protected-access
    assert answer == {"events": [event]}


def test_reset_clears_the_schedule(simulator: SimulatorServer, seed: Seeder) -> None:
    """POST /_sim/reset forgets pending events."""
    (workspace_id,) = seed("AVAILABLE")
    simulator.control.set_schedule(
        [{"workspace_id": workspace_id, "state": "ERROR", "after_seconds": 60}]
    )
    simulator.control.reset()
    assert simulator.control.schedule() == []


EVENT = {"workspace_id": "{ws}", "state": "ERROR", "after_seconds": 1}


@pytest.mark.parametrize(
    "event",
    [
        {**EVENT, "color": "red"},
        {"state": "ERROR", "after_seconds": 1},
        {**EVENT, "workspace_id": "ws-doesnotexist"},
        {**EVENT, "workspace_id": 7},
        {**EVENT, "state": "ASLEEP"},
        {**EVENT, "state": "error"},
        {"workspace_id": "{ws}", "connection_state": "ONLINE", "after_seconds": 1},
        {"workspace_id": "{ws}", "after_seconds": 1},
        {"workspace_id": "{ws}", "state": "ERROR"},
        {**EVENT, **after_calls("DescribeWorkspaces")},
        {**EVENT, "after_seconds": -1},
        {**EVENT, "after_seconds": True},
        {**EVENT, "after_seconds": "4"},
        {"workspace_id": "{ws}", "state": "ERROR", **after_calls("DescribeWorkspacez")},
        {"workspace_id": "{ws}", "state": "ERROR", **after_calls("DescribeWorkspaces", 0)},
        {"workspace_id": "{ws}", "state": "ERROR", **after_calls("DescribeWorkspaces", 1.5)},
        {"workspace_id": "{ws}", "state": "ERROR", **after_calls("DescribeWorkspaces", True)},
        {"workspace_id": "{ws}", "state": "ERROR", "after_calls": {"count": 1}},
        {"workspace_id": "{ws}", "state": "ERROR", "after_calls": "DescribeWorkspaces"},
        {"workspace_id": "{ws}", "state": "ERROR", **after_calls("DescribeWorkspaces", when=1)},
        {
            "workspace_id": "{ws}",
            "state": "ERROR",
            **after_calls("DescribeWorkspaces", naming="ws-doesnotexist"),
        },
        {"workspace_id": "{ws}", "state": "ERROR", **after_calls("DescribeWorkspaces", naming=3)},
        "ws-x",
    ],
)
def test_invalid_events_are_refused(simulator: SimulatorServer, seed: Seeder, event: Any) -> None:
    """Unknown keys, unknown ids, bad states and bad triggers: HTTP 400, schedule unchanged."""
    (workspace_id,) = seed("AVAILABLE")
    kept = [{"workspace_id": workspace_id, "state": "STOPPED", **after_calls("DescribeTags")}]
    simulator.control.set_schedule(kept)
    if isinstance(event, dict) and event.get("workspace_id") == "{ws}":
        event = {**event, "workspace_id": workspace_id}
    with pytest.raises(SimulatorControlError) as caught:
        simulator.control._call("PUT", "schedule", {"events": [event]})  # pylint: disable=protected-access
    assert caught.value.status == 400
    assert simulator.control.schedule() == kept


@pytest.mark.parametrize("body", [{"event": []}, {"events": {}}, "ws-x", 3])
def test_invalid_schedule_bodies_are_refused(simulator: SimulatorServer, body: Any) -> None:
    """The body is a list of events or {"events": [...]}, nothing else."""
    with pytest.raises(SimulatorControlError) as caught:
        simulator.control._call("PUT", "schedule", body)  # pylint: disable=protected-access
    assert caught.value.status == 400


def test_set_connection_state_at_once(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """POST /_sim/workspaces/<id>/connection changes the connection state now."""
    (workspace_id,) = seed("AVAILABLE")
    answer = simulator.control.set_connection_state(workspace_id, "CONNECTED")
    assert answer["WorkspaceId"] == workspace_id
    assert answer["ConnectionState"] == "CONNECTED"
    assert answer["LastKnownUserConnectionTimestamp"] == answer["ConnectionStateCheckTimestamp"]
    connected_at = answer["LastKnownUserConnectionTimestamp"]
    status = connection_of(client, workspace_id)
    assert status["ConnectionState"] == "CONNECTED"
    time.sleep(0.01)
    # Going away: the user was connected until now.
    gone = simulator.control.set_connection_state(workspace_id, "DISCONNECTED")
    assert gone["LastKnownUserConnectionTimestamp"] > connected_at
    # From DISCONNECTED to UNKNOWN, the last connection stays where it was.
    unknown = simulator.control.set_connection_state(workspace_id, "UNKNOWN")
    assert unknown["LastKnownUserConnectionTimestamp"] == gone["LastKnownUserConnectionTimestamp"]
    assert simulator.control.workspace(workspace_id)["Connection"] == {
        key: value for key, value in unknown.items() if key != "WorkspaceId"
    }


def test_set_connection_state_errors(simulator: SimulatorServer, seed: Seeder) -> None:
    """Unknown WorkSpace: 404; unknown state or no state: 400; GET: 405."""
    (workspace_id,) = seed("AVAILABLE")
    with pytest.raises(SimulatorControlError) as missing:
        simulator.control.set_connection_state("ws-doesnotexist", "CONNECTED")
    assert missing.value.status == 404
    for body in ({"state": "ONLINE"}, {}, {"state": 1}):
        with pytest.raises(SimulatorControlError) as invalid:
            simulator.control._call("POST", f"workspaces/{workspace_id}/connection", body)  # pylint: disable=protected-access
        assert invalid.value.status == 400
    with pytest.raises(SimulatorControlError) as wrong:
        simulator.control._call("GET", f"workspaces/{workspace_id}/connection")  # pylint: disable=protected-access
    assert wrong.value.status == 405
    with pytest.raises(SimulatorControlError) as wrong:
        simulator.control._call("DELETE", "schedule")  # pylint: disable=protected-access
    assert wrong.value.status == 405


# ------------------------------------------------------------------ scenario files


def scenario_with(schedule: Any, **workspace: Any) -> dict[str, Any]:
    """A one-WorkSpace scenario (ws-sched0001) with a schedule section."""
    return {
        "directories": [
            {
                "name": "schedule.example.com",
                "workspaces": [{"user": "u", "id": "ws-sched0001", **workspace}],
            }
        ],
        "schedule": schedule,
    }


def test_a_scenario_schedule_names_its_own_workspaces(
    simulator: SimulatorServer, client: Any
) -> None:
    """A schedule may name WorkSpaces the same scenario creates, explicit or generated."""
    fleet = {"directories": [{"name": "gen.example.com", "fleets": [{"name": "g", "count": 2}]}]}
    generated = simulator.control.load_scenario(fleet)["workspace_ids"]
    simulator.control.reset()
    loaded = simulator.control.load_scenario(
        {
            **fleet,
            "schedule": [
                {"workspace_id": generated[1], "state": "ERROR", **after_calls("DescribeTags")}
            ],
        }
    )
    assert loaded["workspace_ids"] == generated
    client.describe_tags(ResourceId=generated[0])
    assert true_state(simulator.control, generated[1]) == "ERROR"
    simulator.control.load_scenario(
        scenario_with([{"workspace_id": "ws-sched0001", "state": "STOPPED", "after_seconds": 0}])
    )
    assert true_state(simulator.control, "ws-sched0001") == "STOPPED"


def test_a_scenario_schedule_replaces_the_current_one(
    simulator: SimulatorServer, seed: Seeder
) -> None:
    """Present, the section replaces the schedule; absent (or null), the schedule is kept."""
    (workspace_id,) = seed("AVAILABLE")
    kept = [{"workspace_id": workspace_id, "state": "ERROR", **after_calls("DescribeTags")}]
    simulator.control.set_schedule(kept)
    simulator.control.load_scenario({"directories": []})
    simulator.control.load_scenario({"schedule": None})
    assert simulator.control.schedule() == kept
    simulator.control.load_scenario({"schedule": []})
    assert simulator.control.schedule() == []


@pytest.mark.parametrize(
    "schedule",
    [
        [{"workspace_id": "ws-sched0002", "state": "ERROR", "after_seconds": 1}],
        [{"workspace_id": "ws-sched0001", "state": "BROKEN", "after_seconds": 1}],
        [{"workspace_id": "ws-sched0001", "state": "ERROR", "after_seconds": 1, "note": "x"}],
        [{"workspace_id": "ws-sched0001", "state": "ERROR"}],
        {"workspace_id": "ws-sched0001", "state": "ERROR", "after_seconds": 1},
    ],
)
def test_invalid_scenario_schedules_load_nothing(simulator: SimulatorServer, schedule: Any) -> None:
    """An unknown id, a bad state, an unknown key or a bad trigger: 400, nothing seeded."""
    with pytest.raises(SimulatorControlError) as caught:
        simulator.control.load_scenario(scenario_with(schedule))
    assert caught.value.status == 400
    assert simulator.control.workspaces() == []
    assert simulator.control.schedule() == []


# ----------------------------------------------------------- without a server


class FakeClock:
    """A monotonic clock the test moves by hand, and a wall clock in step with it."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def wall(self) -> float:
        """Epoch seconds, moving with ``now``."""
        return 1_700_000_000.0 + self.now


def simulator_with_one_workspace(clock: FakeClock) -> tuple[Simulator, str]:
    """A Simulator on the fake clock with one AVAILABLE WorkSpace."""
    sim = Simulator(clock=clock, wall_clock=clock.wall)
    loaded = sim.load_scenario(
        {"directories": [{"name": "u.example.com", "workspaces": [{"user": "u"}]}]}
    )
    return sim, loaded["workspace_ids"][0]


def test_a_late_applied_change_acts_as_of_its_due_time() -> None:
    """Applied at a later read, a change still finds what it would have found on time:
    a failed rebuild that ended before it, but not one that ended after it."""
    clock = FakeClock()
    sim, workspace_id = simulator_with_one_workspace(clock)
    sim.backend.extras_for(workspace_id).fails = frozenset({"rebuild"})
    sim.set_timing(durations={"rebuild": 10})
    with sim.lock:
        assert sim.backend.start_action(ACTIONS["rebuild"], workspace_id) is None
    sim.set_schedule(
        [
            {"workspace_id": workspace_id, "state": "STOPPED", "after_seconds": 15},
            {"workspace_id": workspace_id, "connection_state": "CONNECTED", "after_seconds": 5},
        ]
    )
    clock.now += 60
    (view,) = sim.workspaces()
    assert view["State"] == "STOPPED"
    # The rebuild had failed at +10, before the change at +15.
    assert view["ErrorCode"] == "InternalError"
    assert view["Connection"]["ConnectionStateCheckTimestamp"] == clock.wall() - 55


def test_a_change_due_first_applies_first() -> None:
    """Timed events apply in due order, whatever their order in the list."""
    clock = FakeClock()
    sim, workspace_id = simulator_with_one_workspace(clock)
    sim.set_schedule(
        [
            {"workspace_id": workspace_id, "state": "ERROR", "after_seconds": 2},
            {"workspace_id": workspace_id, "state": "IMPAIRED", "after_seconds": 1},
        ]
    )
    clock.now += 1.5
    assert sim.workspaces()[0]["State"] == "IMPAIRED"
    assert [e["after_seconds"] for e in sim.pending_events()] == [0.5]
    clock.now += 1
    assert sim.workspaces()[0]["State"] == "ERROR"
    assert sim.pending_events() == []


def test_scenario_schedules_are_parsed_strictly() -> None:
    """The scenario parser refuses a bad schedule before anything is loaded."""
    with pytest.raises(ValueError, match=r"schedule\[0\].after_calls.count"):
        parse_scenario(
            {
                "schedule": [
                    {
                        "workspace_id": "ws-abcdefgh1",
                        "state": "ERROR",
                        **after_calls("RebuildWorkspaces", -2),
                    }
                ]
            },
            0.0,
        )
