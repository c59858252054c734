"""workspace_rebuild in a throttling storm: every WorkSpace accepted exactly once, none lost."""

from __future__ import annotations

import pytest

from .helpers import HAS_SNAPSHOT
from .helpers import true_states

pytestmark = pytest.mark.integration

FLEET_SIZE = 30
DIRECTORY_ID = "d-0a0b0c0d04"
# Two RebuildWorkspaces a second, two at once: far fewer than the module sends. One
# DescribeWorkspaces a second, so that the second page of every listing is throttled.
REBUILD_STORM = {"throttle": {"rate": 2, "burst": 2}}
DESCRIBE_STORM = {"throttle": {"rate": 1, "burst": 1}}


def test_throttling_storm_loses_and_repeats_nothing(ansible, control):
    loaded = control.load_scenario(
        {
            "faults": {"RebuildWorkspaces": REBUILD_STORM, "DescribeWorkspaces": DESCRIBE_STORM},
            "directories": [
                {
                    "id": DIRECTORY_ID,
                    "name": "storm.example.com",
                    "fleets": [{"name": "storm", "count": FLEET_SIZE, "snapshots": HAS_SNAPSHOT}],
                }
            ],
        }
    )
    fleet = loaded["workspace_ids"]

    run = ansible.run("rebuild_throttling.yml", {"directory_id": DIRECTORY_ID, "fleet": fleet})

    check = run.calls("calls_after_check")
    real = run.calls("calls_after_real") - check
    again = run.calls("calls_after_again") - run.calls("calls_after_real")

    assert check.mutating() == {}

    # Exactly one accepted RebuildWorkspaces per WorkSpace: retries repeated nothing that
    # had gone through, and dropped nothing.
    assert real.accepted_for("RebuildWorkspaces") == {ws: 1 for ws in fleet}
    assert real.accepted_count("RebuildWorkspaces") == FLEET_SIZE
    # The storm did happen.
    assert real.fault_count("RebuildWorkspaces", "throttled") > 0
    assert check.fault_count("DescribeWorkspaces", "throttled") > 0
    assert real.fault_count("DescribeWorkspaces", "throttled") > 0
    assert real.count("RebuildWorkspaces") == FLEET_SIZE + real.fault_count("RebuildWorkspaces", "throttled")

    assert again.mutating() == {}
    assert set(true_states(control).values()) == {"REBUILDING"}
