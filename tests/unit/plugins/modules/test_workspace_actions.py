# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""workspace_reboot, workspace_restore, workspace_start and workspace_stop end to end:
arguments in, the JSON result Ansible reads out, and the calls the service received."""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing as t

import pytest
import yaml

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces import module_runner
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ACTIONS
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionSpec
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.api import WorkspacesApi
from ansible_collections.euc.workspaces.plugins.modules import workspace_reboot
from ansible_collections.euc.workspaces.plugins.modules import workspace_rebuild
from ansible_collections.euc.workspaces.plugins.modules import workspace_restore
from ansible_collections.euc.workspaces.plugins.modules import workspace_start
from ansible_collections.euc.workspaces.plugins.modules import workspace_stop

from ...helpers.ansible_module import ClientFactory
from ...helpers.ansible_module import ModuleRun
from ...helpers.ansible_module import RunModule
from ...helpers.fake_workspaces import FakeClock
from ...helpers.fake_workspaces import FakeWorkspacesClient
from ...helpers.fake_workspaces import access_denied
from ...helpers.fake_workspaces import client_error
from ...helpers.fake_workspaces import when
from ...helpers.fake_workspaces import workspace
from ...helpers.fake_workspaces import ws_id

MODULES: dict[str, types.ModuleType] = {
    "rebuild": workspace_rebuild,
    "reboot": workspace_reboot,
    "restore": workspace_restore,
    "start": workspace_start,
    "stop": workspace_stop,
}
NEW = ("reboot", "restore", "start", "stop")
MUTATING = {"RebuildWorkspaces", "RebootWorkspaces", "RestoreWorkspace", "StartWorkspaces", "StopWorkspaces", "CreateTags", "DeleteTags"}
# A state each action starts from by default, and one it reaches.
STARTS_FROM = {"rebuild": "ERROR", "reboot": "UNHEALTHY", "restore": "ERROR", "start": "STOPPED", "stop": "AVAILABLE"}
DONE = {"rebuild": "rebuilt", "reboot": "rebooted", "restore": "restored", "start": "started", "stop": "stopped"}


@dataclasses.dataclass
class Harness:
    """The fake service, and a way to run one action module against it."""

    fake: FakeWorkspacesClient
    run_module: RunModule
    clock: FakeClock

    def run(self, action: str, args: dict[str, t.Any], **modes: bool) -> ModuleRun:
        return self.run_module(MODULES[action].main, args, **modes)

    def add(self, number: int, state: str, running_mode: str = "AUTO_STOP", snapshot: bool = True) -> str:
        entry = workspace(ws_id(number), state)
        entry["WorkspaceProperties"]["RunningMode"] = running_mode
        self.fake.add(entry)
        if snapshot:
            self.fake.add_snapshot(ws_id(number), when(2))
            self.fake.add_snapshot(ws_id(number), when(1), when(3), kind="RestoreSnapshots")
        return ws_id(number)

    @property
    def mutating_calls(self) -> list[str]:
        return [operation for operation in self.fake.operations if operation in MUTATING]


@pytest.fixture
def harness(run_module: RunModule, monkeypatch: pytest.MonkeyPatch) -> Harness:
    fake = FakeWorkspacesClient()
    monkeypatch.setattr(module_runner, "workspaces_client", ClientFactory(fake))
    # The wait's sleeps and the retries' backoff pass on a fake clock.
    clock = FakeClock()
    monkeypatch.setattr(module_runner, "WorkspacesApi", lambda client, **kwargs: WorkspacesApi(client, clock, **kwargs))
    return Harness(fake, run_module, clock)


def outcomes(run: ModuleRun) -> dict[str, str]:
    return {entry["workspace_id"]: entry["outcome"] for entry in run.result["workspaces"]}


def entry_of(run: ModuleRun, workspace_id: str) -> dict[str, t.Any]:
    [entry] = [e for e in run.result["workspaces"] if e["workspace_id"] == workspace_id]
    return entry


# ---------------------------------------------------------------------- the interface


@pytest.mark.parametrize("action", NEW)
def test_each_module_requests_its_action_and_returns_every_key(harness: Harness, action: str) -> None:
    spec = ACTIONS[action]
    target = harness.add(1, STARTS_FROM[action])
    run = harness.run(action, {"workspace_ids": [target]}, diff=True)
    assert (run.rc, run.result["changed"]) == (0, True)
    assert {"changed", "msg", "workspaces", "failed_requests", f"{action}_requested", "diff"} <= set(run.result)
    assert run.result[f"{action}_requested"] == [target]
    assert outcomes(run) == {target: f"{action}_requested"}
    assert harness.fake.action_calls(spec.operation) == [target]
    assert run.result["diff"] == {"before": {target: STARTS_FROM[action]}, "after": {target: spec.transition.transitional_state}}
    assert run.result["msg"] == f"1 WorkSpace: 1 {action}_requested"


@pytest.mark.parametrize("action", NEW)
def test_check_mode_makes_no_changing_call(harness: Harness, action: str) -> None:
    targets = [harness.add(n, STARTS_FROM[action]) for n in range(3)]
    run = harness.run(action, {"workspace_ids": targets}, check_mode=True)
    assert (run.rc, run.result["changed"], run.result[f"{action}_requested"]) == (0, True, targets)
    assert harness.mutating_calls == []
    assert run.result["msg"].endswith("check mode: nothing was changed")


@pytest.mark.parametrize(
    ("action", "states", "max_workspaces", "options"),
    [
        ("reboot", ["UNHEALTHY"], 25, {"skip_connected": True}),
        ("restore", ["ERROR", "UNHEALTHY"], 10, {"skip_connected": True, "require_snapshot": True}),
        ("start", ["STOPPED"], 100, {}),
        ("stop", ["AVAILABLE", "IMPAIRED", "UNHEALTHY", "ERROR"], 25, {"skip_connected": True}),
    ],
)
def test_the_safe_defaults(action: str, states: list[str], max_workspaces: int, options: dict[str, bool]) -> None:
    """Each action's defaults, and only the safety options that mean something for it."""
    spec = module_runner.action_argument_spec(ACTIONS[action])
    assert spec["states"]["default"] == states
    assert spec["max_workspaces"]["default"] == max_workspaces
    assert {name: spec[name]["default"] for name in ("skip_connected", "require_snapshot") if name in spec} == options


@pytest.mark.parametrize("action", ("reboot", "start", "stop"))
def test_60_workspaces_take_ceil_60_over_25_calls(harness: Harness, action: str) -> None:
    targets = [harness.add(n, STARTS_FROM[action]) for n in range(60)]
    run = harness.run(action, {"workspace_ids": targets, "max_workspaces": 60})
    operation = ACTIONS[action].operation
    assert len(harness.fake.calls_of(operation)) == math.ceil(60 / 25) == 3
    assert sorted(harness.fake.action_calls(operation)) == targets
    assert set(outcomes(run).values()) == {f"{action}_requested"}


def test_restore_makes_one_call_per_workspace(harness: Harness) -> None:
    targets = [harness.add(n, "ERROR") for n in range(4)]
    harness.run("restore", {"workspace_ids": targets})
    assert [sorted(params) for params in harness.fake.calls_of("RestoreWorkspace")] == [["WorkspaceId"]] * 4
    assert sorted(harness.fake.action_calls("RestoreWorkspace")) == targets


# ---------------------------------------------------------------------- outcomes


@pytest.mark.parametrize(("action", "state", "goal"), [("start", "AVAILABLE", "already_started"), ("stop", "STOPPED", "already_stopped")])
def test_a_workspace_already_there_changes_and_fails_nothing_even_named(harness: Harness, action: str, state: str, goal: str) -> None:
    target = harness.add(1, state)
    run = harness.run(action, {"workspace_ids": [target]})
    assert (run.rc, run.failed, run.result["changed"]) == (0, False, False)
    assert outcomes(run) == {target: goal}
    assert run.result["failed_requests"] == [] and run.result[f"{action}_requested"] == []
    assert harness.mutating_calls == []


@pytest.mark.parametrize("action", ("start", "stop"))
def test_always_on_workspaces_are_skipped_by_start_and_stop(harness: Harness, action: str) -> None:
    always_on = harness.add(1, STARTS_FROM[action], running_mode="ALWAYS_ON")
    manual = harness.add(2, STARTS_FROM[action], running_mode="MANUAL")
    run = harness.run(action, {"workspace_ids": [always_on, manual]})
    assert outcomes(run) == {always_on: "skipped", manual: f"{action}_requested"}
    assert "running mode is ALWAYS_ON" in entry_of(run, always_on)["reason"]
    assert entry_of(run, always_on)["running_mode"] == "ALWAYS_ON"
    assert harness.fake.action_calls(ACTIONS[action].operation) == [manual]


@pytest.mark.parametrize("action", tuple(MODULES))
def test_admin_maintenance_is_skipped_by_every_action_even_named(harness: Harness, action: str) -> None:
    target = harness.add(1, "ADMIN_MAINTENANCE")
    run = harness.run(action, {"workspace_ids": [target]})
    assert (run.rc, outcomes(run)) == (0, {target: "skipped"})
    assert "ADMIN_MAINTENANCE" in entry_of(run, target)["reason"]
    assert harness.mutating_calls == []


def test_a_rebooting_workspace_is_in_progress_unless_rebooting_is_named(harness: Harness) -> None:
    """REBOOTING named in states asks again for a reboot stuck there; AWS refuses one that is not stuck."""
    target, fresh = harness.add(1, "REBOOTING"), harness.add(2, "REBOOTING")
    run = harness.run("reboot", {"workspace_ids": [target, fresh]})
    assert (outcomes(run), run.result["changed"], harness.mutating_calls) == ({target: "in_progress", fresh: "in_progress"}, False, [])
    harness.fake.stuck_rebooting.add(target)
    run = harness.run("reboot", {"workspace_ids": [target, fresh], "states": ["REBOOTING"]})
    assert outcomes(run) == {target: "reboot_requested", fresh: "failed"}
    assert entry_of(run, fresh)["error_code"] == "InvalidResourceState"
    assert sorted(harness.fake.action_calls("RebootWorkspaces")) == [target, fresh]


@pytest.mark.parametrize("action", NEW)
def test_a_named_workspace_in_a_state_the_action_cannot_start_from_fails(harness: Harness, action: str) -> None:
    target = harness.add(1, "SUSPENDED")
    run = harness.run(action, {"workspace_ids": [target]})
    assert (run.rc, run.failed) == (1, True)
    assert entry_of(run, target)["error_code"] == "InvalidWorkspaceState"
    assert run.result["failed_requests"][0]["workspace_id"] == target


@pytest.mark.parametrize("action", NEW)
def test_waited_on_it_ends_done_or_failed_with_the_actions_code(harness: Harness, action: str) -> None:
    spec = ACTIONS[action]
    good, bad = harness.add(1, STARTS_FROM[action]), harness.add(2, STARTS_FROM[action])
    harness.fake.reads_after_action[bad] = (spec.transition.transitional_state, "ERROR")
    harness.fake.error_details[bad] = ("InternalError", "It did not come back.")
    run = harness.run(action, {"workspace_ids": [good, bad], "wait": True, "wait_timeout": 600})
    assert outcomes(run) == {good: DONE[action], bad: "failed"}
    assert entry_of(run, good)["final_state"] == spec.transition.target_state
    assert entry_of(run, bad)["error_code"] == f"{action.capitalize()}Failed"
    assert "InternalError: It did not come back." in entry_of(run, bad)["error_message"]


@pytest.mark.parametrize("action", NEW)
def test_a_wait_that_runs_out_is_a_wait_timeout(harness: Harness, action: str) -> None:
    target = harness.add(1, STARTS_FROM[action])
    harness.fake.reads_after_action[target] = (ACTIONS[action].transition.transitional_state,)
    run = harness.run(action, {"workspace_ids": [target], "wait": True, "wait_timeout": 60, "wait_delay": 5})
    assert entry_of(run, target)["error_code"] == "WaitTimeout"
    assert run.result["changed"] is True  # the request was accepted all the same


@pytest.mark.parametrize("action", ("reboot", "restore", "stop"))
def test_a_connected_user_is_left_alone_by_default(harness: Harness, action: str) -> None:
    target = harness.add(1, STARTS_FROM[action])
    harness.fake.set_connection_state(target, "CONNECTED")
    run = harness.run(action, {"workspace_ids": [target]})
    assert (outcomes(run), harness.mutating_calls) == ({target: "skipped"}, [])
    assert "connected" in entry_of(run, target)["reason"]
    run = harness.run(action, {"workspace_ids": [target], "skip_connected": False})
    assert outcomes(run) == {target: f"{action}_requested"}


def test_start_reads_no_connection_state(harness: Harness) -> None:
    target = harness.add(1, "STOPPED")
    harness.run("start", {"workspace_ids": [target]})
    assert "DescribeWorkspacesConnectionStatus" not in harness.fake.operations


# ---------------------------------------------------------------------- restore


def test_restore_reports_the_latest_restore_snapshot_and_needs_one(harness: Harness) -> None:
    with_snapshot = harness.add(1, "ERROR")
    without = harness.add(2, "ERROR", snapshot=False)
    run = harness.run("restore", {"workspace_ids": [with_snapshot, without]})
    assert entry_of(run, with_snapshot)["snapshot_time"] == when(3).isoformat()  # RestoreSnapshots, not the rebuild one
    assert outcomes(run) == {with_snapshot: "restore_requested", without: "skipped"}
    assert "no restore snapshot" in entry_of(run, without)["reason"]
    assert harness.fake.action_calls("RestoreWorkspace") == [with_snapshot]


@pytest.mark.parametrize("code", ["InvalidResourceStateException", "ResourceNotFoundException", "OperationNotSupportedException"])
def test_a_restore_refusal_is_that_workspaces_outcome_only(harness: Harness, code: str) -> None:
    refused, restored = harness.add(1, "ERROR"), harness.add(2, "UNHEALTHY")
    harness.fake.action_failures[refused] = (code, "Refused for this WorkSpace.")
    run = harness.run("restore", {"workspace_ids": [refused, restored]})
    assert (run.rc, outcomes(run)) == (1, {refused: "failed", restored: "restore_requested"})
    assert run.result["failed_requests"] == [{"workspace_id": refused, "error_code": code, "error_message": "Refused for this WorkSpace."}]
    assert run.result["restore_requested"] == [restored]


def test_access_denied_on_restore_stops_the_run(harness: Harness) -> None:
    targets = [harness.add(n, "ERROR") for n in range(3)]
    harness.fake.errors["RestoreWorkspace"] = [access_denied("RestoreWorkspace")]
    run = harness.run("restore", {"workspace_ids": targets, "max_concurrency": 1})
    assert (run.rc, run.failed) == (1, True)
    assert "AccessDeniedException" in run.result["msg"]
    assert len(harness.fake.calls_of("RestoreWorkspace")) == 1  # no other request after the refusal
    assert sorted(outcomes(run).values()) == ["failed", "skipped", "skipped"]
    assert run.result["restore_requested"] == []


def test_a_restore_whose_answer_was_lost_is_not_sent_twice(harness: Harness) -> None:
    target = harness.add(1, "ERROR")
    harness.fake.errors_after_accepting[target] = [client_error("InternalServerError", "Lost.", "RestoreWorkspace", 500)]
    run = harness.run("restore", {"workspace_ids": [target]})
    assert outcomes(run) == {target: "restore_requested"}
    assert harness.fake.accepted_count(target) == 1


# ---------------------------------------------------------------------- documentation


def _return_doc(action: str) -> dict[str, t.Any]:
    return yaml.safe_load(MODULES[action].RETURN)


def _neutral(value: t.Any, spec: ActionSpec) -> t.Any:
    """The RETURN documentation with the action's own words replaced by placeholders."""
    if isinstance(value, dict):
        return {_neutral(key, spec): _neutral(item, spec) for key, item in value.items()}
    if isinstance(value, list):
        return [_neutral(item, spec) for item in value]
    if not isinstance(value, str):
        return value
    words = [
        (spec.operation, "<Operation>"),
        (spec.transition.transitional_state, "<TRANSITIONAL>"),
        (spec.failed_code, "<Verb>Failed"),
        (spec.past_participle, "<done>"),
        (spec.name, "<verb>"),
    ]
    for word, placeholder in words:
        value = re.sub(rf"\b{re.escape(word)}", placeholder, value)
    return value


# Where an action's RETURN may say something of its own, and why.
OWN_WORDS = {
    # The goal outcomes of start and stop, the reasons a WorkSpace is skipped, how a wait fails.
    ("workspaces", "outcome"),
    ("workspaces", "error_code"),
    # Reboot, start and stop read no snapshot; start reads no connection state.
    ("workspaces", "snapshot_time"),
    ("workspaces", "connection_state"),
    # Stop ends in STOPPED, the others in AVAILABLE.
    ("workspaces", "final_state"),
}


@pytest.mark.parametrize("action", NEW)
def test_the_return_documentation_is_rebuilds_but_for_the_verb(action: str) -> None:
    """Every action returns the same keys, with the same types and the same descriptions
    once each action's own words are neutral, except where OWN_WORDS says."""
    mine, rebuilds = _neutral(_return_doc(action), ACTIONS[action]), _neutral(_return_doc("rebuild"), ACTIONS["rebuild"])
    assert set(mine) == set(rebuilds)
    for key in rebuilds:
        if key == "workspaces":
            continue
        assert mine[key] == rebuilds[key], key
    entries, rebuild_entries = mine["workspaces"].pop("contains"), rebuilds["workspaces"].pop("contains")
    assert mine["workspaces"] == rebuilds["workspaces"]
    assert set(entries) == set(rebuild_entries)
    for key, documented in rebuild_entries.items():
        if ("workspaces", key) in OWN_WORDS:
            assert {k: v for k, v in entries[key].items() if k not in ("description", "sample")} == {
                k: v for k, v in documented.items() if k not in ("description", "sample")
            }, key
        else:
            assert entries[key] == documented, key


@pytest.mark.parametrize("action", tuple(MODULES))
def test_every_outcome_the_engine_can_give_is_documented(action: str) -> None:
    spec = ACTIONS[action]
    documented = "\n".join(_return_doc(action)["workspaces"]["contains"]["outcome"]["description"])
    expected = {spec.requested_outcome, spec.past_participle, "in_progress", "skipped", "failed", "unknown"}
    if spec.goal_outcome is not None:
        expected.add(spec.goal_outcome)
    assert {word for word in expected if f"V({word})" in documented} == expected


def test_a_workspace_someone_else_reboots_meanwhile_is_in_progress_even_with_rebooting_in_states(harness: Harness) -> None:
    """Only a WorkSpace selected in REBOOTING is a stuck reboot to ask again; one that started
    rebooting after it was selected is someone else's reboot under way."""
    target = harness.add(1, "UNHEALTHY")

    def meanwhile(fake: FakeWorkspacesClient) -> None:
        # While the idempotency markers are read, 6 s pass and someone reboots it.
        harness.clock.advance(6)
        fake.script(target, "REBOOTING")

    harness.fake.hooks["DescribeTags"] = [meanwhile]
    args = {"workspace_ids": [target], "states": ["UNHEALTHY", "REBOOTING"], "idempotency_token": "CHG1"}
    run = harness.run("reboot", args)
    assert outcomes(run) == {target: "in_progress"}
    assert "already REBOOTING when read again" in entry_of(run, target)["reason"]
    assert harness.fake.action_calls("RebootWorkspaces") == []
