"""The rebuild_unhealthy runbook: a gate that changes nothing until acknowledged.

The runbook runs as an operator runs it: as ``ansible-playbook euc.workspaces.rebuild_unhealthy``
and through the one-line playbook an AWX job template needs (``playbooks/runbook.yml``,
``import_playbook: euc.workspaces.rebuild_unhealthy``), with nothing but its ``workspaces_*``
variables. The simulator's call counts, read between runs, say what each run cost.
"""

from __future__ import annotations

import re
import typing as t

import pytest

from .helpers import MUTATING_OPERATIONS
from .helpers import Calls
from .helpers import PlaybookRun
from .helpers import true_states

pytestmark = pytest.mark.integration

# A rebuild takes 2400 simulated seconds; at this speed, 2 real ones.
SPEED = 2400 / 2

DIRECTORY_ID = "d-0a0b0c0d10"
OTHER_DIRECTORY_ID = "d-0a0b0c0d11"
ERROR_WS = "ws-rbkerror01"  # ERROR, disconnected, snapshot 12 h old: rebuilt
UNHEALTHY_WS = "ws-rbkunhlth1"  # UNHEALTHY, disconnected, snapshot 5 h old: rebuilt
CONNECTED_WS = "ws-rbkconnct1"  # UNHEALTHY, its user connected: left alone
NO_SNAPSHOT_WS = "ws-rbknosnap1"  # ERROR, no rebuild snapshot: left alone
HELD_WS = "ws-rbkheld001"  # ERROR, tagged Maintenance=hold: excluded by workspaces_exclude_tags
HEALTHY_WS = "ws-rbkhealth1"  # AVAILABLE: never looked at by the rebuild
OTHER_WS = "ws-rbkother01"  # ERROR, in another directory: outside workspaces_directory_id
DOOMED_WS = "ws-rbkdoomed1"  # ERROR, its rebuild ends in ERROR again

REBUILT = [ERROR_WS, UNHEALTHY_WS]
LEFT_ALONE = [CONNECTED_WS, NO_SNAPSHOT_WS, HELD_WS, HEALTHY_WS, OTHER_WS]

PLAN = "Plan the rebuild in check mode"
SHOW = "Show each WorkSpace, its user, connection state, snapshot age and plan"
ACKNOWLEDGE = "Say how to acknowledge the plan"
REBUILD = "Rebuild the planned WorkSpaces and wait until they are AVAILABLE"
REPORT = "Report each WorkSpace's outcome"
VERDICT = "Fail the run when a rebuild failed"
NOTHING_PLANNED = "Say that the plan rebuilds nothing"
PLAN_FAILED = "Stop when the plan failed"
GUARD = "Stop when more would be rebuilt than workspaces_max allows"


def _workspace(workspace_id: str, user: str, state: str, **extra: t.Any) -> dict[str, t.Any]:
    workspace = {
        "id": workspace_id,
        "user": user,
        "state": state,
        "snapshots": {"rebuild": ["-36h", "-12h"]},
        "connection": {"state": "DISCONNECTED", "last_connected_at": "-1d"},
    }
    workspace.update(extra)
    return workspace


def _scenario(*extra_workspaces: dict[str, t.Any]) -> dict[str, t.Any]:
    return {
        "timing": {"speed": SPEED},
        "directories": [
            {
                "id": DIRECTORY_ID,
                "name": "runbook.example.com",
                "workspaces": [
                    _workspace(ERROR_WS, "error.user", "ERROR"),
                    _workspace(UNHEALTHY_WS, "unhealthy.user", "UNHEALTHY", snapshots={"rebuild": ["-5h"]}),
                    _workspace(
                        CONNECTED_WS,
                        "busy.user",
                        "UNHEALTHY",
                        connection={"state": "CONNECTED", "last_connected_at": "-10m"},
                    ),
                    _workspace(NO_SNAPSHOT_WS, "fresh.user", "ERROR", snapshots={"rebuild": []}),
                    _workspace(HELD_WS, "held.user", "ERROR", tags={"Maintenance": "hold"}),
                    _workspace(HEALTHY_WS, "healthy.user", "AVAILABLE"),
                    *extra_workspaces,
                ],
            },
            {
                "id": OTHER_DIRECTORY_ID,
                "name": "other.example.com",
                "workspaces": [_workspace(OTHER_WS, "other.user", "ERROR")],
            },
        ],
    }


def _variables(endpoint_url: str, **extra: t.Any) -> dict[str, t.Any]:
    """The runbook's variables for the simulator, as an operator would pass them."""
    return {
        "workspaces_endpoint_url": endpoint_url,
        "workspaces_region": "us-east-1",
        "workspaces_directory_id": DIRECTORY_ID,
        "workspaces_exclude_tags": {"Maintenance": "hold"},
        "workspaces_wait_delay": 1,
        "workspaces_wait_timeout": 120,
        **extra,
    }


def _rebuilds_begun(before: t.Mapping[str, t.Any], after: t.Mapping[str, t.Any]) -> dict[str, int]:
    """How many rebuilds the simulator actually began for each WorkSpace between two call counts."""
    return (Calls.of(after) - Calls.of(before)).started_by_workspace.get("RebuildWorkspaces", {})


def _touched(calls: Calls) -> set[str]:
    """The WorkSpaces any mutating request named (rebuilds, and the idempotency markers' tags)."""
    return {ws for op in MUTATING_OPERATIONS for ws in calls.received_for(op)}


def _lines(run: PlaybookRun, task: str) -> dict[str, str]:
    """The message a loop task printed for each WorkSpace, by WorkSpace id."""
    return {item["_ansible_item_label"]: item["msg"] for item in run.result(task)["results"]}


def _ran(run: PlaybookRun, task: str) -> bool:
    """Whether the task ran (it is in the results and was not skipped by its condition)."""
    return any(task_run.name == task and not task_run.result.get("skipped") for task_run in run.tasks)


def test_without_acknowledge_it_looks_plans_and_changes_nothing(ansible, control):
    control.load_scenario(_scenario())
    states_before = true_states(control)
    before = control.calls()

    run = ansible.run("euc.workspaces.rebuild_unhealthy", _variables(ansible.endpoint_url))

    calls = Calls.of(control.calls()) - Calls.of(before)
    assert calls.mutating() == {}, calls.by_operation
    assert calls.count("RebuildWorkspaces") == 0
    assert true_states(control) == states_before

    # The plan: the module in check mode, with the runbook's gates passed through.
    plan = run.result(PLAN)
    assert plan["rebuild_requested"] == REBUILT
    outcomes = {entry["workspace_id"]: entry for entry in plan["workspaces"]}
    assert set(outcomes) == {ERROR_WS, UNHEALTHY_WS, CONNECTED_WS, NO_SNAPSHOT_WS}
    assert outcomes[CONNECTED_WS]["outcome"] == "skipped"
    assert "connected" in outcomes[CONNECTED_WS]["reason"].lower()
    assert outcomes[NO_SNAPSHOT_WS]["outcome"] == "skipped"
    assert "snapshot" in outcomes[NO_SNAPSHOT_WS]["reason"]

    # What the operator reads: user, connection state, snapshot age in hours, decision.
    lines = _lines(run, SHOW)
    assert set(lines) == set(outcomes)
    assert "user error.user" in lines[ERROR_WS]
    assert "DISCONNECTED" in lines[ERROR_WS]
    assert re.search(r"snapshot 12\.0 h old", lines[ERROR_WS]), lines[ERROR_WS]
    assert re.search(r"snapshot 5\.0 h old", lines[UNHEALTHY_WS]), lines[UNHEALTHY_WS]
    assert lines[ERROR_WS].endswith("would be rebuilt")
    assert "CONNECTED" in lines[CONNECTED_WS]
    assert "stays out" in lines[CONNECTED_WS]
    assert "no snapshot" in lines[NO_SNAPSHOT_WS]
    assert "stays out" in lines[NO_SNAPSHOT_WS]

    # It ends saying how to acknowledge, and never reaches the rebuild.
    message = run.result(ACKNOWLEDGE)["msg"]
    assert "Nothing was changed" in message
    assert "-e workspaces_acknowledge=true" in message
    assert "workspaces_idempotency_token" in message
    assert run.tasks[-1].name == ACKNOWLEDGE
    assert not _ran(run, REBUILD)


def test_acknowledged_it_rebuilds_the_broken_disconnected_snapshotted_ones_once(ansible, control):
    control.load_scenario(_scenario())
    before = control.calls()

    run = ansible.run("runbook.yml", _variables(ansible.endpoint_url, workspaces_acknowledge=True, workspaces_idempotency_token="CHG0001"))

    after = control.calls()
    calls = Calls.of(after) - Calls.of(before)
    assert _rebuilds_begun(before, after) == {ws: 1 for ws in REBUILT}
    assert calls.received_for("RebuildWorkspaces") == {ws: 1 for ws in REBUILT}
    # The connected, snapshot-less, tagged-out and out-of-directory ones: not one mutating call
    # named them (the idempotency markers are tags on the rebuilt ones only).
    assert _touched(calls) == set(REBUILT), calls.by_workspace
    states = true_states(control)
    assert all(states[ws] == "AVAILABLE" for ws in REBUILT), states
    assert (states[CONNECTED_WS], states[NO_SNAPSHOT_WS], states[HELD_WS], states[OTHER_WS]) == ("UNHEALTHY", "ERROR", "ERROR", "ERROR")
    assert states[HEALTHY_WS] == "AVAILABLE"

    rebuilt = run.result(REBUILD)
    assert rebuilt["rebuild_requested"] == REBUILT
    assert [entry["outcome"] for entry in rebuilt["workspaces"]] == ["rebuilt", "rebuilt"]
    report = _lines(run, REPORT)
    assert set(report) == {ERROR_WS, UNHEALTHY_WS, CONNECTED_WS, NO_SNAPSHOT_WS}
    assert report[ERROR_WS].endswith("ERROR -> AVAILABLE: rebuilt")
    assert report[UNHEALTHY_WS].endswith("UNHEALTHY -> AVAILABLE: rebuilt")
    assert "not rebuilt" in report[CONNECTED_WS] and "connected" in report[CONNECTED_WS].lower()
    assert "not rebuilt" in report[NO_SNAPSHOT_WS] and "snapshot" in report[NO_SNAPSHOT_WS]
    assert not run.result(VERDICT).get("failed")

    # The same run again: what is left broken stays out, so nothing changes.
    again_before = control.calls()
    again = ansible.run("runbook.yml", _variables(ansible.endpoint_url, workspaces_acknowledge=True, workspaces_idempotency_token="CHG0001"))
    again_calls = Calls.of(control.calls()) - Calls.of(again_before)
    assert again_calls.mutating() == {}, again_calls.by_operation
    assert again.result(PLAN)["rebuild_requested"] == []
    assert "Nothing to rebuild" in again.result(NOTHING_PLANNED)["msg"]
    assert not _ran(again, REBUILD)
    assert true_states(control) == states


def test_a_failed_rebuild_fails_the_run_and_a_relaunch_with_the_token_rebuilds_nothing(ansible, control):
    control.load_scenario(_scenario(_workspace(DOOMED_WS, "doomed.user", "ERROR", fails=["rebuild"])))
    variables = _variables(ansible.endpoint_url, workspaces_acknowledge=True, workspaces_idempotency_token="INC0042")
    before = control.calls()

    failed = ansible.run("runbook.yml", variables, expect_success=False)

    after = control.calls()
    assert failed.returncode == 2
    assert _rebuilds_begun(before, after) == {ws: 1 for ws in [*REBUILT, DOOMED_WS]}
    assert true_states(control)[DOOMED_WS] == "ERROR"
    outcomes = {entry["workspace_id"]: entry for entry in failed.result(REBUILD)["workspaces"]}
    assert outcomes[DOOMED_WS]["outcome"] == "failed"
    assert outcomes[DOOMED_WS]["error_code"] == "RebuildFailed"
    assert "failed: RebuildFailed" in _lines(failed, REPORT)[DOOMED_WS]
    verdict = failed.result(VERDICT)
    assert verdict["failed"]
    assert "1 failed" in verdict["msg"]
    assert "same workspaces_idempotency_token" in verdict["msg"]

    # The relaunch (as after a crash, AWX relaunches with the same variables): the WorkSpace
    # the first run asked for is not rebuilt again.
    relaunch = ansible.run("runbook.yml", variables)

    assert _rebuilds_begun(after, control.calls()) == {}
    doomed = next(entry for entry in relaunch.result(PLAN)["workspaces"] if entry["workspace_id"] == DOOMED_WS)
    assert doomed["outcome"] == "skipped"
    assert "idempotency_token" in doomed["reason"]
    assert "workspaces_idempotency_token" in _lines(relaunch, SHOW)[DOOMED_WS]
    assert not _ran(relaunch, REBUILD)


def test_the_operator_can_let_connected_and_snapshotless_ones_in(ansible, control):
    control.load_scenario(_scenario())
    before = control.calls()

    ansible.run(
        "runbook.yml",
        _variables(
            ansible.endpoint_url,
            workspaces_acknowledge="true",
            workspaces_skip_connected="false",
            workspaces_require_snapshot="no",
        ),
    )

    assert _rebuilds_begun(before, control.calls()) == {ws: 1 for ws in [*REBUILT, CONNECTED_WS, NO_SNAPSHOT_WS]}
    states = true_states(control)
    assert (states[HELD_WS], states[OTHER_WS]) == ("ERROR", "ERROR")


def test_the_guard_names_workspaces_max_and_changes_nothing(ansible, control):
    control.load_scenario(_scenario())
    before = control.calls()

    looked = ansible.run("runbook.yml", _variables(ansible.endpoint_url, workspaces_max=1), expect_success=False)
    acknowledged = ansible.run("runbook.yml", _variables(ansible.endpoint_url, workspaces_acknowledge=True, workspaces_max=1), expect_success=False)

    calls = Calls.of(control.calls()) - Calls.of(before)
    assert calls.mutating() == {}, calls.by_operation
    for run in (looked, acknowledged):
        assert run.returncode == 2
        # Counted on what the plan would really rebuild: not the connected nor the
        # snapshot-less WorkSpace, which the plan leaves out.
        message = run.result(GUARD)["msg"]
        assert "2 WorkSpaces would be rebuilt" in message
        assert "workspaces_max (1)" in message
        assert "max_workspaces" not in message
        assert run.result(PLAN_FAILED).get("skipped")
        assert not _ran(run, REBUILD)
        assert not _ran(run, ACKNOWLEDGE)


def test_dry_run_wins_over_acknowledge(ansible, control):
    control.load_scenario(_scenario())
    before = control.calls()

    run = ansible.run("runbook.yml", _variables(ansible.endpoint_url, workspaces_acknowledge=True, workspaces_dry_run=True))

    assert (Calls.of(control.calls()) - Calls.of(before)).mutating() == {}
    assert run.result(PLAN)["rebuild_requested"] == REBUILT
    assert "workspaces_dry_run is true" in run.result(ACKNOWLEDGE)["msg"]
    assert not _ran(run, REBUILD)


def test_nothing_broken_ends_before_the_plan(ansible, control):
    control.load_scenario(
        {"directories": [{"id": DIRECTORY_ID, "name": "runbook.example.com", "workspaces": [_workspace(HEALTHY_WS, "healthy.user", "AVAILABLE")]}]}
    )
    before = control.calls()

    run = ansible.run("runbook.yml", _variables(ansible.endpoint_url, workspaces_acknowledge=True))

    assert (Calls.of(control.calls()) - Calls.of(before)).mutating() == {}
    message = run.result("Say that nothing is broken")["msg"]
    assert message.startswith("Nothing to rebuild: no WorkSpace is in ERROR or UNHEALTHY in directory " + DIRECTORY_ID)
    assert run.tasks[-1].name == "Say that nothing is broken"


def test_a_mistyped_acknowledge_stops_before_any_call(ansible, control):
    control.load_scenario(_scenario())
    before = control.calls()

    run = ansible.run("runbook.yml", _variables(ansible.endpoint_url, workspaces_acknowledge="ture"), expect_success=False)

    assert run.returncode == 2
    assert (Calls.of(control.calls()) - Calls.of(before)).total == 0
    assert "must be true or false" in run.result("Check the runbook's variables")["msg"]
