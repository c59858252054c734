"""workspace_rebuild at the edges where a user's data is lost: state changing mid-run, lost
answers with stale reads, dead ends during a wait, fast rebuilds, outages, refused
connections, ambiguous input, connected users, missing snapshots, opt-out tags and a
relaunch after a crash. Each asserts on the actions the simulator actually started."""

from __future__ import annotations

import os
import signal
import time

import pytest

from .helpers import HAS_SNAPSHOT
from .helpers import true_states

pytestmark = pytest.mark.integration

DIRECTORY = "d-0a0b0c0d11"
# At this speed a rebuild (2400 simulated seconds) takes 3 real seconds, as in the demo.
FAST = 800


def _scenario(workspaces: list[dict], **extra) -> dict:
    return {"directories": [{"id": DIRECTORY, "name": "safety.example.com", "workspaces": workspaces}], **extra}


def _ws(workspace_id: str, state: str = "ERROR", **attributes) -> dict:
    return {"id": workspace_id, "user": workspace_id.replace("ws-", "u"), "state": state, "snapshots": HAS_SNAPSHOT, **attributes}


def _by_id(result: dict) -> dict[str, dict]:
    return {entry["workspace_id"]: entry for entry in result["workspaces"]}


def _step(ansible, params: dict, **extra):
    run = ansible.run("rebuild_step.yml", {"params": params, **extra})
    before = run.calls("calls_after_info")
    check = run.calls("calls_after_check")
    real = run.calls("calls_after_real")
    steps = {"check": check - before, "real": real - check}
    if extra.get("run_again", True):
        steps["again"] = run.calls("calls_after_again") - real
    results = {"check": run.result("Rebuild (check mode)"), "real": run.result("Rebuild")}
    if extra.get("run_again", True):
        results["again"] = run.result("Rebuild again")
    return run, steps, results


def test_workspaces_that_turn_available_mid_run_are_not_rebuilt(ansible, control):
    """Five UNHEALTHY WorkSpaces, RebuildWorkspaces throttled to one call per 10 s; four turn
    AVAILABLE right after the first call. The plan is stale by the time their turn comes:
    read again before their request, they are skipped, with the state they were found in."""
    ids = [f"ws-midrun00{n}" for n in range(5)]
    control.load_scenario(
        _scenario(
            [_ws(wid, "UNHEALTHY") for wid in ids],
            faults={"RebuildWorkspaces": {"throttle": {"rate": 0.1, "burst": 1}}},
            schedule=[{"workspace_id": wid, "state": "AVAILABLE", "after_calls": {"operation": "RebuildWorkspaces", "count": 1}} for wid in ids[1:]],
        )
    )
    run = ansible.run("rebuild_step.yml", {"params": {"workspace_ids": ids, "states": ["UNHEALTHY"], "max_concurrency": 1}, "run_again": False})
    real = run.calls("calls_after_real") - run.calls("calls_after_check")
    result = _by_id(run.result("Rebuild"))
    assert real.started_for("RebuildWorkspaces") == {ids[0]: 1}
    assert result[ids[0]]["outcome"] == "rebuild_requested"
    for wid in ids[1:]:
        assert result[wid]["outcome"] == "skipped", result[wid]
        assert "it was AVAILABLE" in result[wid]["reason"]
        assert result[wid]["final_state"] == "AVAILABLE"
    assert run.result("Rebuild")["rebuild_requested"] == [ids[0]]


def test_readme_example_twice_changes_nothing_and_a_fast_rebuild_ends_rebuilt(ansible, control):
    """The README's example with the default wait_delay (15 s): 3-second rebuilds end
    'rebuilt' well under a minute; one ends in ERROR with AWS's reason; the re-run changes
    nothing."""
    good, doomed = "ws-readme001", "ws-readme002"
    control.load_scenario(_scenario([_ws(good), _ws(doomed, fails=["rebuild"])], timing={"speed": FAST, "stale_seconds": 400}))
    run, steps, results = _step(ansible, {"workspace_ids": [good, doomed], "wait": True})
    assert results["check"]["changed"] and steps["check"].mutating() == {}
    real = _by_id(results["real"])
    assert real[good]["outcome"] == "rebuilt" and real[good]["final_state"] == "AVAILABLE"
    assert (real[doomed]["outcome"], real[doomed]["error_code"]) == ("failed", "RebuildFailed")
    assert "InternalError" in real[doomed]["error_message"]
    assert run.task("Rebuild").seconds < 30
    assert steps["real"].started_for("RebuildWorkspaces") == {good: 1, doomed: 1}
    # Second run: the rebuilt one is AVAILABLE (not in the default states) and is not touched;
    # only the one still broken is tried again.
    assert _by_id(results["again"])[good]["outcome"] == "skipped"
    assert steps["again"].started_for("RebuildWorkspaces") == {doomed: 1}


@pytest.mark.parametrize("wait", [False, True])
@pytest.mark.parametrize("cut", [False, True], ids=["answered-500", "connection-cut"])
def test_a_lost_answer_then_a_stale_read_ends_accepted(ansible, control, wait, cut):
    """The answer to an accepted rebuild is lost (a 500, or the connection cut right after the
    request was carried out) and DescribeWorkspaces still reads ERROR for a while: the resend
    is refused (already REBUILDING), so the WorkSpace is watched until it shows it moved.
    Accepted, a change, in rebuild_requested, waited on; started once."""
    wid = "ws-lostnstale"
    lost = {"workspaces": [wid], "drop": True} if cut else {"workspaces": [wid]}
    control.load_scenario(_scenario([_ws(wid)], timing={"speed": FAST, "stale_seconds": 1600}, faults={"RebuildWorkspaces": {"lose_answers": lost}}))
    run, steps, results = _step(ansible, {"workspace_ids": [wid], "wait": wait}, run_again=False)
    real = results["real"]
    entry = _by_id(real)[wid]
    assert (real["changed"], real.get("failed", False)) == (True, False)
    assert real["rebuild_requested"] == [wid]
    # Without wait it is watched only until it shows it moved; a 3-second rebuild may be over by then.
    assert entry["outcome"] in (("rebuilt",) if wait else ("rebuild_requested", "rebuilt"))
    assert "taken as accepted" in entry["reason"]
    assert steps["real"].received_for("RebuildWorkspaces") == {wid: 2}
    assert steps["real"].started_for("RebuildWorkspaces") == {wid: 1}


def test_a_workspace_that_dies_mid_wait_ends_at_the_next_poll(ansible, control):
    """TERMINATED and STOPPED 4 s into a 40-minute rebuild: each wait ends at the next poll, not after wait_timeout."""
    gone, stopped = "ws-deadend01", "ws-deadend02"
    control.load_scenario(
        _scenario(
            [_ws(gone), _ws(stopped)],
            schedule=[
                {"workspace_id": gone, "state": "TERMINATED", "after_seconds": 4},
                {"workspace_id": stopped, "state": "STOPPED", "after_seconds": 4},
            ],
        )
    )
    run, _steps, results = _step(ansible, {"workspace_ids": [gone, stopped], "wait": True}, run_again=False)
    real = _by_id(results["real"])
    for wid, state in ((gone, "TERMINATED"), (stopped, "STOPPED")):
        assert (real[wid]["outcome"], real[wid]["error_code"]) == ("failed", "RebuildFailed"), real[wid]
        assert state in real[wid]["error_message"]
    assert run.task("Rebuild").seconds < 25


def test_an_outage_ends_within_the_documented_bound(ansible, control):
    """Every RebuildWorkspaces answers 503: the first WorkSpace's request may have reached
    AWS, so it ends 'unknown'; the task stops sending after 6 server errors in a row; the
    others are skipped with that reason. Well under a minute."""
    ids = ["ws-outage001", "ws-outage002", "ws-outage003"]
    control.load_scenario(_scenario([_ws(wid) for wid in ids], faults={"RebuildWorkspaces": {"server_errors": {"rate": 1.0, "status": 503}}}))
    run, steps, results = _step(ansible, {"workspace_ids": ids, "max_concurrency": 1}, run_again=False)
    real = results["real"]
    outcomes = {wid: entry["outcome"] for wid, entry in _by_id(real).items()}
    assert outcomes == {ids[0]: "unknown", ids[1]: "skipped", ids[2]: "skipped"}
    assert real["failed"] and real["changed"]
    assert "kept failing" in real["msg"] and "failed attempts in a row over" in real["msg"]
    assert steps["real"].count("RebuildWorkspaces") == 6
    assert steps["real"].started == {} or not any(steps["real"].started.values())
    assert run.task("Rebuild").seconds < 45


def test_refused_connections_still_return_every_documented_key(ansible, control):
    """Nothing listens: each named id appears once, skipped, and every documented key is there
    (rebuild_step.yml asserts the keys of every run)."""
    ids = ["ws-refused01", "ws-refused02"]
    run, _steps, results = _step(ansible, {"workspace_ids": ids}, endpoint="http://127.0.0.1:9", run_again=False)
    for phase in ("check", "real"):
        result = results[phase]
        assert result["failed"]
        assert [entry["workspace_id"] for entry in result["workspaces"]] == ids
        assert {entry["outcome"] for entry in result["workspaces"]} == {"skipped"}
        assert (result["failed_requests"], result["rebuild_requested"]) == ([], [])
        assert "Could not connect" in result["msg"] and "Outcomes: 2 WorkSpaces: 2 skipped" in result["msg"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({"directory_id": DIRECTORY, "tags": {"CostCenter": 42}}, "quote the value of 'CostCenter' (read as int 42)", id="integer-tag"),
        pytest.param({"directory_id": DIRECTORY, "exclude_tags": {"NoRebuild": True}}, "exclude_tags values must be strings", id="boolean-exclude-tag"),
        pytest.param({"workspace_ids": [" ws-abc12345", ""]}, "' ws-abc12345', ''", id="invisible-ids"),
        pytest.param({"workspace_ids": ["ws-abc12345"], "idempotency_token": "bad\ntoken"}, "idempotency_token must have", id="bad-token"),
    ],
)
def test_ambiguous_input_is_refused_before_any_call(ansible, control, params, message):
    control.load_scenario(_scenario([_ws("ws-input0001")]))
    run, steps, results = _step(ansible, params, run_again=False)
    for phase in ("check", "real"):
        assert results[phase]["failed"] and message in results[phase]["msg"], results[phase]["msg"]
        assert steps[phase].total == 0


def test_connected_users_are_skipped_unless_told_otherwise(ansible, control):
    connected, alone = "ws-connect01", "ws-connect02"
    control.load_scenario(_scenario([_ws(connected, connection={"state": "CONNECTED"}), _ws(alone)]))
    _run, steps, results = _step(ansible, {"workspace_ids": [connected, alone]}, run_again=False)
    for phase in ("check", "real"):
        entry = _by_id(results[phase])[connected]
        assert entry["outcome"] == "skipped" and "connected" in entry["reason"]
        assert entry["connection_state"] == "CONNECTED"
    assert steps["real"].started_for("RebuildWorkspaces") == {alone: 1}

    _run, steps, results = _step(ansible, {"workspace_ids": [connected], "skip_connected": False}, run_again=False)
    assert _by_id(results["real"])[connected]["outcome"] == "rebuild_requested"
    assert steps["real"].started_for("RebuildWorkspaces") == {connected: 1}


def test_a_user_who_connects_mid_run_is_not_rebuilt(ansible, control):
    """Connected after the plan (the first DescribeWorkspaces): the read right before the request sees it."""
    first, later = "ws-latecon01", "ws-latecon02"
    control.load_scenario(
        _scenario(
            [_ws(first), _ws(later)],
            faults={"RebuildWorkspaces": {"throttle": {"rate": 0.1, "burst": 1}}},
            schedule=[{"workspace_id": later, "connection_state": "CONNECTED", "after_calls": {"operation": "RebuildWorkspaces", "count": 1}}],
        )
    )
    _run, steps, results = _step(ansible, {"workspace_ids": [first, later], "max_concurrency": 1}, run_again=False)
    entry = _by_id(results["real"])[later]
    assert entry["outcome"] == "skipped" and "connected" in entry["reason"]
    assert steps["real"].started_for("RebuildWorkspaces") == {first: 1}


def test_workspaces_without_snapshot_are_skipped_unless_told_otherwise(ansible, control):
    bare, saved = "ws-nosnap001", "ws-nosnap002"
    control.load_scenario(_scenario([_ws(bare, snapshots={"rebuild": []}), _ws(saved, snapshots={"rebuild": ["2026-11-30T02:00:00Z", "-3h"]})]))
    _run, steps, results = _step(ansible, {"workspace_ids": [bare, saved]}, run_again=False)
    for phase in ("check", "real"):
        entries = _by_id(results[phase])
        assert entries[bare]["outcome"] == "skipped" and "snapshot" in entries[bare]["reason"]
        assert "cannot be restored" in entries[bare]["reason"]
        assert entries[bare]["snapshot_time"] is None
        assert entries[saved]["snapshot_time"] > "2026-11-30T02:00:00"
    assert steps["real"].started_for("RebuildWorkspaces") == {saved: 1}

    _run, steps, results = _step(ansible, {"workspace_ids": [bare], "require_snapshot": False}, run_again=False)
    assert _by_id(results["real"])[bare]["outcome"] == "rebuild_requested"
    assert steps["real"].started_for("RebuildWorkspaces") == {bare: 1}


def test_exclude_tags_keeps_workspaces_out(ansible, control):
    kept, protected = "ws-exclude01", "ws-exclude02"
    control.load_scenario(_scenario([_ws(kept), _ws(protected, tags={"NoRebuild": "true"})]))
    # By directory: the protected one is not even listed, by workspace_info nor by the rebuild.
    run, steps, results = _step(
        ansible,
        {"directory_id": DIRECTORY, "exclude_tags": {"NoRebuild": "true"}},
        info_params={"directory_id": DIRECTORY, "exclude_tags": {"NoRebuild": "true"}},
        run_again=False,
    )
    assert [ws["workspace_id"] for ws in run.result("Describe the WorkSpaces first")["workspaces"]] == [kept]
    assert [ws["workspace_id"] for ws in results["real"]["workspaces"]] == [kept]
    assert steps["real"].started_for("RebuildWorkspaces") == {kept: 1}
    # Named by id: reported skipped, with the reason.
    _run, steps, results = _step(ansible, {"workspace_ids": [protected], "exclude_tags": {"NoRebuild": "true"}}, run_again=False)
    entry = _by_id(results["real"])[protected]
    assert entry["outcome"] == "skipped" and "exclude_tags" in entry["reason"]
    assert steps["real"].mutating() == {}


def test_workspace_info_reports_missing_ids_and_refuses_empty_states(ansible, control):
    control.load_scenario(_scenario([_ws("ws-present01")]))
    extra = {"params": {"workspace_ids": ["ws-present01"], "states": ["ERROR"]}, "info_params": {"workspace_ids": ["ws-present01", "ws-missing001"]}}
    run = ansible.run("rebuild_step.yml", {**extra, "run_again": False})
    info = run.result("Describe the WorkSpaces first")
    assert info["missing_workspace_ids"] == ["ws-missing001"]
    assert any("ws-missing001" in warning for warning in info.get("warnings", []))
    run = ansible.run("rebuild_step.yml", {"params": {"workspace_ids": ["ws-present01"]}, "info_params": {"states": []}, "run_again": False})
    assert run.result("Describe the WorkSpaces first")["failed"]
    assert "states must name at least one state" in run.result("Describe the WorkSpaces first")["msg"]


def _wait_until(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_the_same_idempotency_token_never_rebuilds_twice_even_after_a_crash(ansible, control):
    """A run with a token is killed right after its requests were accepted (during its wait).
    Relaunched with the same token once the rebuilds are over (the WorkSpaces are AVAILABLE
    again, and states names AVAILABLE), nothing is rebuilt a second time. A request AWS
    refused leaves no marker: the relaunch rebuilds that one."""
    ids = ["ws-token0001", "ws-token0002"]
    refused = "ws-token0003"
    control.load_scenario(
        _scenario(
            [_ws(wid) for wid in [*ids, refused]],
            timing={"speed": 2400 / 8},
            faults={"RebuildWorkspaces": {"failed_requests": {refused: {"code": "ResourceLimitExceeded.Workspace", "message": "Too many."}}}},
        )
    )
    params = {"workspace_ids": [*ids, refused], "states": ["AVAILABLE", "ERROR"], "idempotency_token": "INC0042", "wait": True, "wait_delay": 1}
    process = ansible.start("rebuild_step.yml", {"params": params, "run_again": False})
    try:
        _wait_until(lambda: sum(control.calls().get("started_by_workspace", {}).get("RebuildWorkspaces", {}).values()) == 2)
        time.sleep(0.5)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    tags = {ws["WorkspaceId"]: {tag["Key"]: tag["Value"] for tag in ws.get("Tags", [])} for ws in control.workspaces()}
    assert {wid: tags[wid].get("euc.workspaces:rebuild-token") for wid in ids} == {wid: "INC0042" for wid in ids}
    assert "euc.workspaces:rebuild-token" not in tags[refused]

    control.set_faults({})
    _wait_until(lambda: set(true_states(control).values()) == {"AVAILABLE", "ERROR"} and true_states(control)[ids[0]] == "AVAILABLE", timeout=30)
    _run, steps, results = _step(ansible, {**params, "wait": False})
    for phase in ("check", "real", "again"):
        entries = _by_id(results[phase])
        for wid in ids:
            assert entries[wid]["outcome"] == "skipped" and "idempotency_token" in entries[wid]["reason"], entries[wid]
    assert _by_id(results["real"])[refused]["outcome"] == "rebuild_requested"
    assert steps["check"].mutating() == {}
    assert steps["real"].started_for("RebuildWorkspaces") == {refused: 1}
    assert steps["again"].started_for("RebuildWorkspaces") == {}
