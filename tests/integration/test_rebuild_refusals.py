"""workspace_rebuild refusing to run: the max_workspaces guard, malformed options, AccessDenied."""

from __future__ import annotations

import pytest

from .helpers import HAS_SNAPSHOT
from .helpers import true_states

pytestmark = pytest.mark.integration

DIRECTORY_ID = "d-0a0b0c0d05"
FLEET_SIZE = 12
GOOD_ID = "ws-abcdefgh1"
BAD_IDS = ["WS-UPPERCASE1", "ws-short", "d-1234567890", "ws-under_score1", "ws-1234-56789"]


def test_guard_malformed_options_and_access_denied(ansible, control):
    loaded = control.load_scenario(
        {
            "faults": {"RebuildWorkspaces": {"access_denied": True}},
            "directories": [
                {
                    "id": DIRECTORY_ID,
                    "name": "guarded.example.com",
                    "fleets": [{"name": "guarded", "count": FLEET_SIZE, "snapshots": HAS_SNAPSHOT}],
                }
            ],
        }
    )
    fleet = loaded["workspace_ids"]

    run = ansible.run(
        "rebuild_refusals.yml",
        {"directory_id": DIRECTORY_ID, "fleet": fleet, "good_id": GOOD_ID, "bad_ids": BAD_IDS},
    )

    # The guard: the WorkSpaces were listed, and nothing else.
    guard = run.calls("calls_after_guard") - run.calls("calls_before_guard")
    assert guard.mutating() == {}
    assert guard.by_operation == {"DescribeWorkspaces": 3}

    # Malformed options: not a single call, not even a DescribeWorkspaces.
    malformed = run.calls("calls_after_malformed") - run.calls("calls_before_malformed")
    assert malformed.total == 0, malformed

    # AccessDenied, one call at a time: the first RebuildWorkspaces is refused and the
    # task stops there; the check-mode run before it sent none.
    assert run.calls("calls_before_denied").mutating() == {}
    denied = run.calls("calls_after_denied") - run.calls("calls_before_denied")
    assert denied.received_for("RebuildWorkspaces") == {sorted(fleet)[0]: 1}
    assert denied.accepted_count("RebuildWorkspaces") == 0
    assert denied.fault_count("RebuildWorkspaces", "access_denied") == 1
    # Five at a time: at most the five calls already on their way.
    denied_again = run.calls("calls_after_denied_again") - run.calls("calls_after_denied")
    assert 1 <= denied_again.count("RebuildWorkspaces") <= 5
    assert denied_again.accepted_count("RebuildWorkspaces") == 0

    assert set(true_states(control).values()) == {"AVAILABLE"}
