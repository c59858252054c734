"""workspace_info: selectors, detail, paging, batching, empty matches, malformed ids, throttling."""

from __future__ import annotations

import pytest

from .helpers import Calls
from .helpers import ceil_pages

pytestmark = pytest.mark.integration

DIR_A = "d-0a0b0c0d09"
DIR_B = "d-0a0b0c0d0a"
DIR_EMPTY = "d-0a0b0c0d0b"
ENG_BUNDLE = "wsb-infoeng01"
BULK_SIZE = 130
DETAILED = ["ws-infodet001", "ws-infodet002"]
MISSING = "ws-infomiss01"

DETAIL_ONE = {
    "tags": {"team": "finance", "owner": "Detail One", "CostCenter": "4711"},
    "rebuild_snapshots": ["2026-11-27T02:00:00+00:00", "2026-11-27T14:00:00+00:00"],
    "restore_snapshots": ["2026-11-28T01:00:00+00:00"],
    "checked_at": "2026-11-28T10:00:00+00:00",
    "last_connected_at": "2026-11-28T09:30:00+00:00",
}

SCENARIO = {
    "directories": [
        {
            "id": DIR_A,
            "name": "info-a.example.com",
            "fleets": [{"name": "bulk", "count": BULK_SIZE}],
        },
        {
            "id": DIR_B,
            "name": "info-b.example.com",
            "fleets": [
                {
                    "name": "eng",
                    "bundle": ENG_BUNDLE,
                    "tags": {"team": "eng"},
                    "states": {"AVAILABLE": 8, "ERROR": 2},
                },
                {
                    "name": "fin",
                    "tags": {"team": "finance"},
                    "states": {"AVAILABLE": 6, "STOPPED": 3, "ERROR": 1},
                },
            ],
            "workspaces": [
                {
                    "id": DETAILED[0],
                    "user": "detail.one",
                    "bundle": ENG_BUNDLE,
                    "tags": DETAIL_ONE["tags"],
                    "snapshots": {"rebuild": DETAIL_ONE["rebuild_snapshots"], "restore": DETAIL_ONE["restore_snapshots"]},
                    "connection": {
                        "state": "CONNECTED",
                        "checked_at": DETAIL_ONE["checked_at"],
                        "last_connected_at": DETAIL_ONE["last_connected_at"],
                    },
                },
                {"id": DETAILED[1], "user": "detail.two", "state": "UNHEALTHY"},
            ],
        },
        {"id": DIR_EMPTY, "name": "info-empty.example.com"},
    ]
}


def _tags(workspace: dict) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in workspace.get("Tags", [])}


def _ids(workspaces: list[dict], predicate=lambda ws: True) -> list[str]:
    return sorted(ws["WorkspaceId"] for ws in workspaces if predicate(ws))


def test_selectors_details_paging_and_batching(ansible, control):
    control.load_scenario(SCENARIO)
    everything = control.workspaces()
    total = len(everything)
    assert total >= 150
    bulk = [ws["WorkspaceId"] for ws in everything if ws["DirectoryId"] == DIR_A][:60]
    in_b = [ws for ws in everything if ws["DirectoryId"] == DIR_B]
    expected = {
        "all": _ids(everything),
        "ids": sorted(bulk),
        "directory": _ids(in_b),
        "users": _ids(in_b, lambda ws: ws["UserName"] in ("eng001", "fin002", "detail.one")),
        "bundle": _ids(everything, lambda ws: ws["BundleId"] == ENG_BUNDLE),
        "tags": _ids(everything, lambda ws: _tags(ws).get("team") == "finance"),
        "states": _ids(everything, lambda ws: ws["State"] in ("ERROR", "STOPPED")),
        "combined": _ids(in_b, lambda ws: ws["BundleId"] == ENG_BUNDLE and _tags(ws).get("team") == "eng" and ws["State"] == "AVAILABLE"),
    }
    assert [len(expected[key]) for key in ("users", "bundle", "tags", "states", "combined")] == [3, 11, 11, 6, 8]

    run = ansible.run(
        "info_selectors.yml",
        {
            "dir_a": DIR_A,
            "dir_b": DIR_B,
            "dir_empty": DIR_EMPTY,
            "eng_bundle": ENG_BUNDLE,
            "bulk": bulk,
            "missing": MISSING,
            "detailed": DETAILED,
            "expected": expected,
            "detail": {
                "one": {
                    "tags": DETAIL_ONE["tags"],
                    "rebuild_snapshots": [{"snapshot_time": t} for t in DETAIL_ONE["rebuild_snapshots"]],
                    "restore_snapshots": [{"snapshot_time": t} for t in DETAIL_ONE["restore_snapshots"]],
                    "checked_at": DETAIL_ONE["checked_at"],
                    "last_connected_at": DETAIL_ONE["last_connected_at"],
                }
            },
        },
    )

    order = [
        "start",
        "all_check",
        "all_real",
        "ids_check",
        "ids",
        "directory_check",
        "directory",
        "users_check",
        "users",
        "bundle_check",
        "bundle",
        "tags_check",
        "tags",
        "states_check",
        "states",
        "combined_check",
        "combined",
        "ids_directory",
        "detail_check",
        "detail",
        "tags_included",
        "bulk_detail",
        "empty",
        "malformed",
    ]
    snapshots = {name: run.calls(f"calls_{name}") for name in order}
    step = {later: snapshots[later] - snapshots[earlier] for earlier, later in zip(order, order[1:], strict=False)}

    # workspace_info never changes anything.
    assert snapshots["malformed"].mutating() == {}

    # Paging: one DescribeWorkspaces per page of 25, nothing else, in check mode too.
    for name in ("all_check", "all_real"):
        assert step[name].by_operation == {"DescribeWorkspaces": ceil_pages(total)}, name

    # Batching: 60 distinct existing ids (plus duplicates and one missing id) cost at
    # most one call per 25 ids.
    # Each selector alone costs the same in check mode as for real.
    for name in ("ids", "directory", "users", "bundle", "tags", "states"):
        assert step[f"{name}_check"] == step[name], name

    assert step["ids"].by_operation == {"DescribeWorkspaces": ceil_pages(len(bulk) + 1)}
    assert step["ids"].count("DescribeWorkspaces") <= ceil_pages(len(bulk))
    assert set(step["ids"].received_for("DescribeWorkspaces")) == set(bulk) | {MISSING}
    assert set(step["ids"].received_for("DescribeWorkspaces").values()) == {1}

    assert step["directory"].by_operation == {"DescribeWorkspaces": ceil_pages(len(in_b))}
    # One call per user name.
    assert step["users"].by_operation == {"DescribeWorkspaces": 3}
    assert step["bundle"].by_operation == {"DescribeWorkspaces": 1}
    # Tags alone: every WorkSpace in the region has its tags read once.
    assert step["tags"].count("DescribeWorkspaces") == ceil_pages(total)
    assert step["tags"].received_for("DescribeTags") == {ws: 1 for ws in expected["all"]}
    # States are not a server-side filter: every page is read, nothing else.
    assert step["states"].by_operation == {"DescribeWorkspaces": ceil_pages(total)}
    # Tags are read last, once each, only for what the directory, the bundle and the
    # states left.
    dir_b_eng_available = _ids(in_b, lambda ws: ws["BundleId"] == ENG_BUNDLE and ws["State"] == "AVAILABLE")
    for name in ("combined_check", "combined"):
        assert step[name].received_for("DescribeTags") == {ws: 1 for ws in dir_b_eng_available}, name
        assert step[name].count("DescribeWorkspaces") == 1, name

    # ids and a directory: the ids are asked for, the directory applied to the answer.
    assert step["ids_directory"].by_operation == {"DescribeWorkspaces": 1}

    # Every detail for two WorkSpaces: one call of each per WorkSpace, one connection call.
    for name in ("detail_check", "detail"):
        assert step[name].by_operation == {
            "DescribeWorkspaces": 1,
            "DescribeTags": 2,
            "DescribeWorkspaceSnapshots": 2,
            "DescribeWorkspacesConnectionStatus": 1,
        }, name
    # Tags read to select are returned as they are, not read twice.
    assert step["tags_included"].received_for("DescribeTags") == {ws["WorkspaceId"]: 1 for ws in in_b}
    # Sixty WorkSpaces: one snapshot call each, connection status 25 at a time.
    assert step["bulk_detail"].count("DescribeWorkspaces") == ceil_pages(60)
    assert step["bulk_detail"].received_for("DescribeWorkspaceSnapshots") == {ws: 1 for ws in bulk}
    assert step["bulk_detail"].count("DescribeWorkspacesConnectionStatus") == ceil_pages(60)

    # Empty matches cost only the listing: no detail call for nothing, no call for no id.
    assert step["empty"].by_operation == {
        "DescribeWorkspaces": 1 + 1 + ceil_pages(total),
        "DescribeTags": len(in_b),
    }

    # A malformed id: not a single call.
    assert step["malformed"].total == 0, step["malformed"]


def test_throttled_detail_calls_still_complete_every_result(ansible, control):
    # One page of connection status and one more, so that the second call is throttled.
    fleet_size = 26
    loaded = control.load_scenario(
        {
            "faults": {
                "DescribeTags": {"throttle": {"rate": 8, "burst": 2}},
                "DescribeWorkspaceSnapshots": {"throttle": {"rate": 8, "burst": 2}},
                "DescribeWorkspacesConnectionStatus": {"throttle": {"rate": 1, "burst": 1}},
            },
            "directories": [
                {
                    "name": "throttled.example.com",
                    "fleets": [
                        {
                            "name": "ops",
                            "count": fleet_size,
                            "tags": {"team": "ops"},
                            "snapshots": {"rebuild": ["-12h"]},
                        }
                    ],
                }
            ],
        }
    )
    fleet = loaded["workspace_ids"]
    directory_id = loaded["directory_ids"][0]

    ansible.run("info_throttling.yml", {"directory_id": directory_id, "fleet": fleet})

    counted = Calls.of(control.calls())
    # Each WorkSpace's tags and snapshots read exactly once in the end, after throttling.
    assert counted.accepted_for("DescribeTags") == {ws: 1 for ws in fleet}
    assert counted.accepted_for("DescribeWorkspaceSnapshots") == {ws: 1 for ws in fleet}
    assert counted.fault_count("DescribeTags", "throttled") > 0
    assert counted.fault_count("DescribeWorkspaceSnapshots", "throttled") > 0
    assert counted.fault_count("DescribeWorkspacesConnectionStatus", "throttled") > 0
    assert counted.accepted_count("DescribeWorkspacesConnectionStatus") == ceil_pages(fleet_size)
