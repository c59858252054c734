"""workspace_rebuild without waiting: every outcome, check mode, diff and re-runs."""

from __future__ import annotations

import pytest

from workspaces_simulator.errors import OperationNotSupportedException

from .helpers import HAS_SNAPSHOT
from .helpers import true_states

pytestmark = pytest.mark.integration

DIRECTORY_ID = "d-0a0b0c0d01"

WS = {
    "available": "ws-outavail01",
    "rebuilding": "ws-outrebld01",
    "forced": "ws-outforcd01",
    "unsupported": "ws-outunsup01",
    "stopped": "ws-outstopd01",
    "pending": "ws-outpendg01",
    "suspended": "ws-outsuspd01",
    # Never seeded.
    "missing": "ws-outmissg01",
}

FORCED = {
    "code": "ResourceLimitExceeded.Workspace",
    "message": "The WorkSpace cannot be rebuilt right now: too many rebuilds are running in this account.",
}


def _scenario() -> dict:
    def workspace(role: str, state: str) -> dict:
        return {"id": WS[role], "user": f"{role}.user", "state": state, "snapshots": HAS_SNAPSHOT}

    return {
        # A rebuild takes 2400 simulated seconds, 60 real ones at this speed: every
        # WorkSpace whose rebuild was accepted stays REBUILDING for the whole test.
        "timing": {"speed": 40},
        "faults": {
            "RebuildWorkspaces": {
                "failed_requests": {WS["forced"]: FORCED},
                "unsupported": [WS["unsupported"]],
            }
        },
        "directories": [
            {
                "id": DIRECTORY_ID,
                "name": "outcomes.example.com",
                "workspaces": [
                    workspace("available", "AVAILABLE"),
                    workspace("rebuilding", "REBUILDING"),
                    workspace("forced", "AVAILABLE"),
                    workspace("unsupported", "AVAILABLE"),
                    workspace("stopped", "STOPPED"),
                    workspace("pending", "PENDING"),
                    workspace("suspended", "SUSPENDED"),
                ],
            }
        ],
    }


def test_every_outcome_without_wait(ansible, control):
    control.load_scenario(_scenario())
    unsupported = OperationNotSupportedException()

    run = ansible.run(
        "rebuild_outcomes.yml",
        {
            "directory_id": DIRECTORY_ID,
            "ws": WS,
            "forced": FORCED,
            "unsupported": {"code": unsupported.error_type, "message": unsupported.message},
        },
    )

    # The endpoint reached the modules through the action group's module_defaults,
    # wait_delay through the module's own; the second play gave them as plain options.
    for task in ("Rebuild the directory (check mode)", "Rebuild named WorkSpaces"):
        module_args = run.result(task)["invocation"]["module_args"]
        assert module_args["endpoint_url"] == ansible.endpoint_url, task
    assert run.result("Rebuild the directory (check mode)")["invocation"]["module_args"]["wait_delay"] == 1
    assert run.result("Rebuild named WorkSpaces")["invocation"]["module_args"]["wait_delay"] == 15

    before = run.calls("calls_before")
    check = run.calls("calls_after_check") - before
    real = run.calls("calls_after_real") - run.calls("calls_after_check")
    again = run.calls("calls_after_again") - run.calls("calls_after_real")
    named = run.calls("calls_after_named") - run.calls("calls_before_named")

    # Check mode only reads.
    assert check.mutating() == {}
    assert check.count("DescribeWorkspaces") == 1

    # One RebuildWorkspaces call per WorkSpace asked for; only the healthy one got through.
    assert real.received_for("RebuildWorkspaces") == {WS["available"]: 1, WS["forced"]: 1, WS["unsupported"]: 1}
    assert real.count("RebuildWorkspaces") == 3
    assert real.accepted_for("RebuildWorkspaces") == {WS["available"]: 1}

    # The second run asks again only for the two refused WorkSpaces.
    assert again.received_for("RebuildWorkspaces") == {WS["forced"]: 1, WS["unsupported"]: 1}
    assert again.accepted_for("RebuildWorkspaces") == {}

    # Named WorkSpaces that cannot be rebuilt are never sent.
    assert named.mutating() == {}
    assert named.count("DescribeWorkspaces") == 4

    states = true_states(control)
    assert states[WS["available"]] == "REBUILDING"
    for role, state in (
        ("forced", "AVAILABLE"),
        ("unsupported", "AVAILABLE"),
        ("stopped", "STOPPED"),
        ("pending", "PENDING"),
        ("suspended", "SUSPENDED"),
    ):
        assert states[WS[role]] == state, role
    assert WS["missing"] not in states
