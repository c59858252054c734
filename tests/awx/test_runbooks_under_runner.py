# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The runbooks as an AWX job runs them: ansible-runner with a private data directory whose
project holds the AWX project playbook of docs/awx/project/, the extra variables a launch
from the job template and its survey (docs/awx/surveys/) gives, and the environment an
*Amazon Web Services* credential injects; the collections installed from the tarball. Each
WorkSpace's outcome is read from the job events, as AWX shows them, and checked against what
the simulator saw: the actions really begun, and the true states.

The fleets are those of the integration targets (their vars/main.yml): the rebuild runbook's
scenario "runbook", and the simulator's built-in scenario "recovery"."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ansible_runner
import pytest
import yaml

from .conftest import BIN
from .conftest import ROOT
from .conftest import load_survey
from .conftest import survey_extra_vars

TARGETS = ROOT / "tests" / "integration" / "targets"
SCENARIOS = ROOT / "tools" / "workspaces-simulator" / "src" / "workspaces_simulator" / "scenarios"
# What an Amazon Web Services credential of AWX injects (test values of AWS's documentation).
CREDENTIAL_ENV = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
MUTATING = ("RebuildWorkspaces", "RebootWorkspaces", "RestoreWorkspace", "StartWorkspaces", "StopWorkspaces", "TerminateWorkspaces")


def _target_vars(target: str) -> dict[str, Any]:
    return yaml.safe_load((TARGETS / target / "vars" / "main.yml").read_text(encoding="utf-8"))


@pytest.fixture
def run_job(tmp_path: Path, installed_collections: Path, simulator: Any) -> Iterator[Any]:
    """Run an AWX project playbook as a job: job(name, extra_vars) -> ansible_runner.Runner."""

    def job(name: str, extra_vars: dict[str, Any]) -> Any:
        private = tmp_path / name
        (private / "project").mkdir(parents=True)
        shutil.copy(ROOT / "docs" / "awx" / "project" / f"{name}.yml", private / "project" / f"{name}.yml")
        return ansible_runner.run(
            private_data_dir=str(private),
            playbook=f"{name}.yml",
            inventory="localhost ansible_connection=local",
            extravars=extra_vars,
            envvars={
                **CREDENTIAL_ENV,
                "PATH": f"{BIN}:/usr/bin:/bin",
                "ANSIBLE_COLLECTIONS_PATH": str(installed_collections),
                # every request stays on this machine: the simulator or a closed port
                "HTTP_PROXY": "http://127.0.0.1:9",
                "HTTPS_PROXY": "http://127.0.0.1:9",
                "NO_PROXY": "127.0.0.1,localhost",
                "AWS_EC2_METADATA_DISABLED": "true",
                "TZ": "UTC",
            },
            quiet=True,
        )

    yield job


def _template_vars(simulator: Any, **more: Any) -> dict[str, Any]:
    """The job template's own extra variables: where the WorkSpaces are."""
    return {"workspaces_region": "us-east-1", "workspaces_endpoint_url": simulator.endpoint_url, "workspaces_wait_delay": 1, **more}


def _task_results(runner: Any, task: str) -> list[dict[str, Any]]:
    """The results of a task, from its runner_on_ok / runner_on_failed events."""
    return [
        event["event_data"]["res"]
        for event in runner.events
        if event.get("event") in ("runner_on_ok", "runner_on_failed") and event["event_data"].get("task") == task
    ]


def _outcomes(runner: Any, task: str) -> dict[str, str]:
    (result,) = _task_results(runner, task)
    return {entry["workspace_id"]: entry["outcome"] for entry in result["workspaces"]}


def _begun(simulator: Any) -> dict[str, dict[str, int]]:
    return {operation: counts for operation, counts in simulator.control.calls()["started_by_workspace"].items() if counts}


def _states(simulator: Any) -> dict[str, str]:
    return {workspace["WorkspaceId"]: workspace["State"] for workspace in simulator.control.workspaces()}


def test_rebuild_job_with_the_survey_defaults_plans_every_directory_and_changes_nothing(run_job: Any, simulator: Any) -> None:
    fleet = _target_vars("rebuild_unhealthy")
    simulator.control.load_scenario(fleet["scenarios"]["runbook"])
    extra_vars = survey_extra_vars(
        load_survey("rebuild_unhealthy"),
        _template_vars(simulator, workspaces_exclude_tags={"Maintenance": "hold"}),
        # the directory question left empty, as the launch form sends it: every directory
        {"workspaces_idempotency_token": "CHG0001", "workspaces_directory_id": ""},
    )
    assert extra_vars["workspaces_acknowledge"] == "false" and extra_vars["workspaces_states"] == ["ERROR", "UNHEALTHY"]
    runner = run_job("rebuild_unhealthy", extra_vars)
    assert (runner.status, runner.rc) == ("successful", 0)
    assert _outcomes(runner, fleet["plan_task"]) == {
        fleet["error_ws"]: "rebuild_requested",
        fleet["unhealthy_ws"]: "rebuild_requested",
        fleet["connected_ws"]: "skipped",
        fleet["no_snapshot_ws"]: "skipped",
        fleet["other_ws"]: "rebuild_requested",
    }
    assert _task_results(runner, fleet["acknowledge_task"])
    assert _task_results(runner, fleet["rebuild_task"]) == []
    calls = simulator.control.calls()["by_operation"]
    assert [operation for operation in MUTATING if calls.get(operation)] == []
    assert _states(simulator) == fleet["seeded_states"]


def test_rebuild_job_acknowledged_rebuilds_the_planned_ones(run_job: Any, simulator: Any) -> None:
    fleet = _target_vars("rebuild_unhealthy")
    simulator.control.load_scenario(fleet["scenarios"]["runbook"])
    extra_vars = survey_extra_vars(
        load_survey("rebuild_unhealthy"),
        _template_vars(simulator, workspaces_exclude_tags={"Maintenance": "hold"}, workspaces_wait_timeout=120),
        {"workspaces_acknowledge": "true", "workspaces_idempotency_token": "CHG0001", "workspaces_directory_id": fleet["directory_id"]},
    )
    runner = run_job("rebuild_unhealthy", extra_vars)
    assert (runner.status, runner.rc) == ("successful", 0)
    assert _outcomes(runner, fleet["rebuild_task"]) == {workspace: "rebuilt" for workspace in fleet["rebuilt"]}
    # what the simulator saw: one rebuild each for those two, nothing else begun
    assert _begun(simulator) == {"RebuildWorkspaces": {workspace: 1 for workspace in fleet["rebuilt"]}}
    assert _states(simulator) == {**fleet["seeded_states"], **{workspace: "AVAILABLE" for workspace in fleet["rebuilt"]}}
    # the report names each outcome
    (report,) = _task_results(runner, fleet["report_task"])
    lines = {item["_ansible_item_label"]: item["msg"] for item in report["results"]}
    assert all(": rebuilt" in lines[workspace] for workspace in fleet["rebuilt"]), lines
    assert "not rebuilt" in lines[fleet["connected_ws"]] and "not rebuilt" in lines[fleet["no_snapshot_ws"]], lines


def test_recover_job_acknowledged_with_every_step_fixes_each_the_cheapest_way(run_job: Any, simulator: Any) -> None:
    fleet = _target_vars("recover_unhealthy")
    simulator.control.load_scenario(yaml.safe_load((SCENARIOS / "recovery.yml").read_text(encoding="utf-8")))
    extra_vars = survey_extra_vars(
        load_survey("recover_unhealthy"),
        _template_vars(simulator, workspaces_wait_timeout=120),
        {
            "workspaces_acknowledge": "true",
            "workspaces_restore": "true",
            "workspaces_rebuild": "true",
            "workspaces_idempotency_token": "CHG0001",
            "workspaces_directory_id": fleet["directory_id"],
        },
    )
    runner = run_job("recover_unhealthy", extra_vars)
    # the doomed ones stay broken, and fail the job
    assert (runner.status, runner.rc) == ("failed", 2)
    # each step's outcome for each WorkSpace it was given, from the events
    fixed = {}
    for step, task in fleet["act_tasks"].items():
        for workspace, outcome in _outcomes(runner, task).items():
            if outcome in ("started", "rebooted", "restored", "rebuilt"):
                fixed[workspace] = step
    assert fixed == fleet["fixed_by_all_steps"]
    # the report's verdicts (the last item of the judging loop holds them all)
    (judged,) = _task_results(runner, fleet["judge_task"])
    verdicts = judged["results"][-1]["ansible_facts"]["workspaces_verdicts"]
    assert {workspace: verdict["fixed_by"] for workspace, verdict in verdicts.items() if verdict["status"].startswith("fixed")} == fleet["fixed_by_all_steps"]
    assert sorted(workspace for workspace, verdict in verdicts.items() if verdict["status"] == "still broken") == sorted(fleet["doomed"])
    assert sorted(workspace for workspace, verdict in verdicts.items() if verdict["status"] == "left alone") == sorted(fleet["left_alone"])
    # what the simulator saw begin, and the true states at the end
    assert _begun(simulator) == fleet["begun_all_steps"]
    states = _states(simulator)
    assert {workspace: states[workspace] for workspace in fleet["fixed_by_all_steps"]} == dict.fromkeys(fleet["fixed_by_all_steps"], "AVAILABLE")
    assert {workspace: states[workspace] for workspace in fleet["untouchable"]} == {
        workspace: fleet["seeded_states"][workspace] for workspace in fleet["untouchable"]
    }
