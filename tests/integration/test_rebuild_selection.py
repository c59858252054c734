"""workspace_rebuild selecting by directory and user names, by bundle, by tags, and all at once."""

from __future__ import annotations

import pytest

from .helpers import HAS_SNAPSHOT
from .helpers import Calls
from .helpers import true_states

pytestmark = pytest.mark.integration

DIR_A = "d-0a0b0c0d06"
DIR_B = "d-0a0b0c0d07"
DIR_C = "d-0a0b0c0d08"
ENG_BUNDLE = "wsb-engbundle1"
DEV_BUNDLE = "wsb-devbundle1"

SCENARIO = {
    # At the default speed a rebuild takes 40 minutes: every rebuilt WorkSpace stays
    # REBUILDING, so each step's re-run finds them in progress.
    "directories": [
        {
            "id": DIR_A,
            "name": "sel-a.example.com",
            "workspaces": [{"user": user, "snapshots": HAS_SNAPSHOT} for user in ("alice", "bob", "carol", "dave")],
        },
        {
            "id": DIR_B,
            "name": "sel-b.example.com",
            "fleets": [
                {"name": "eng", "count": 4, "snapshots": HAS_SNAPSHOT, "bundle": ENG_BUNDLE, "tags": {"team": "eng", "env": "prod"}},
                {"name": "fin", "count": 3, "snapshots": HAS_SNAPSHOT, "tags": {"team": "finance", "env": "prod"}},
                {"name": "findev", "count": 2, "snapshots": HAS_SNAPSHOT, "bundle": DEV_BUNDLE, "tags": {"team": "finance", "env": "dev"}},
                {"name": "engdev", "count": 2, "snapshots": HAS_SNAPSHOT, "bundle": DEV_BUNDLE, "tags": {"team": "eng", "env": "dev"}},
            ],
        },
        {
            # The same user names in another directory, and the finance tags on a
            # WorkSpace of the dev bundle outside DIR_B.
            "id": DIR_C,
            "name": "sel-c.example.com",
            "workspaces": [
                {"user": "alice", "snapshots": HAS_SNAPSHOT},
                {"user": "carol", "snapshots": HAS_SNAPSHOT, "bundle": DEV_BUNDLE, "tags": {"team": "finance", "env": "prod"}},
            ],
        },
    ]
}


def _tags(workspace: dict) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in workspace.get("Tags", [])}


def _expected(workspaces: list[dict]) -> dict[str, list[str]]:
    """The ids each step must rebuild, worked out from the simulator's own view."""

    def ids(predicate) -> list[str]:
        return sorted(ws["WorkspaceId"] for ws in workspaces if predicate(ws))

    finance_prod = {"team": "finance", "env": "prod"}
    return {
        "users": ids(lambda ws: ws["DirectoryId"] == DIR_A and ws["UserName"] in ("alice", "carol")),
        "bundle": ids(lambda ws: ws["BundleId"] == ENG_BUNDLE),
        "tags": ids(lambda ws: finance_prod.items() <= _tags(ws).items()),
        "combined": ids(lambda ws: ws["DirectoryId"] == DIR_B and ws["BundleId"] == DEV_BUNDLE and _tags(ws).get("team") == "finance"),
    }


def test_selectors_rebuild_exactly_what_they_select(ansible, control):
    control.load_scenario(SCENARIO)
    everything = control.workspaces()
    expected = _expected(everything)
    # Disjoint and non-trivial, so that each step's calls tell which step made them.
    assert [len(expected[step]) for step in ("users", "bundle", "tags", "combined")] == [2, 4, 4, 2]
    assert len({ws for ids in expected.values() for ws in ids}) == 12

    run = ansible.run(
        "rebuild_selection.yml",
        {
            "dir_a": DIR_A,
            "dir_b": DIR_B,
            "eng_bundle": ENG_BUNDLE,
            "dev_bundle": DEV_BUNDLE,
            "expected": expected,
        },
    )

    previous = run.calls("calls_users_before")
    steps: dict[str, dict[str, Calls]] = {}
    for step in ("users", "bundle", "tags", "combined"):
        steps[step] = {}
        for phase in ("check", "real", "again"):
            snapshot = run.calls(f"calls_{step}_{phase}")
            steps[step][phase] = snapshot - previous
            previous = snapshot

    for step, phases in steps.items():
        assert phases["check"].mutating() == {}, step
        assert phases["again"].mutating() == {}, step
        # Exactly the selected WorkSpaces were rebuilt, each once.
        assert phases["real"].accepted_for("RebuildWorkspaces") == {ws: 1 for ws in expected[step]}, step
        assert phases["real"].count("RebuildWorkspaces") == len(expected[step]), step

    # One DescribeWorkspaces per user name (a duplicate name is asked for once); in check
    # mode, the snapshots of the two WorkSpaces to rebuild and their users' connection (one
    # call for both). The re-run finds them REBUILDING: nothing more to read.
    assert steps["users"]["check"].by_operation == {"DescribeWorkspaces": 2, "DescribeWorkspaceSnapshots": 2, "DescribeWorkspacesConnectionStatus": 1}
    assert steps["users"]["again"].by_operation == {"DescribeWorkspaces": 2}
    # Tags alone: every WorkSpace of the region has its tags read, once.
    assert steps["tags"]["check"].received_for("DescribeTags") == {ws["WorkspaceId"]: 1 for ws in everything}
    # Tags last: only the WorkSpaces the directory and bundle left have their tags read.
    dir_b_dev = {ws["WorkspaceId"] for ws in everything if ws["DirectoryId"] == DIR_B and ws["BundleId"] == DEV_BUNDLE}
    assert set(steps["combined"]["check"].received_for("DescribeTags")) == dir_b_dev

    rebuilt = {ws for ids in expected.values() for ws in ids}
    assert {ws for ws, state in true_states(control).items() if state == "REBUILDING"} == rebuilt
    assert {ws for ws, state in true_states(control).items() if state != "REBUILDING"} == ({ws["WorkspaceId"] for ws in everything} - rebuilt)


@pytest.mark.parametrize(("user", "selects_alice"), [("alice", True), ("ALICE", False)])
def test_user_names_select_the_same_whatever_their_number(ansible, control, user, selects_alice):
    """One name goes to the service's UserName filter, 26 names make the module list the
    directory: either way a name selects exactly the users spelled that way."""
    loaded = control.load_scenario({"directories": [{"id": DIR_A, "name": "case.example.com", "workspaces": [{"user": "alice", "snapshots": HAS_SNAPSHOT}]}]})
    expected = loaded["workspace_ids"] if selects_alice else []
    others = [f"nobody{index:02d}" for index in range(25)]

    run = ansible.run("rebuild_user_case.yml", {"directory_id": DIR_A, "user": user, "others": others})

    assert run.result("Select one user by name (check mode)")["rebuild_requested"] == expected
    assert run.result("Select the same user among 26 names (check mode)")["rebuild_requested"] == expected
    for task in ("Select one user by name with workspace_info", "Select the same user among 26 names with workspace_info"):
        assert [ws["workspace_id"] for ws in run.result(task)["workspaces"]] == expected
