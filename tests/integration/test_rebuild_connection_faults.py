"""workspace_rebuild when the network fails around a working service: a connection lost
midway through a fleet, and an answer lost after AWS accepted the rebuild (taken as
accepted: the WorkSpace is REBUILDING right after)."""

from __future__ import annotations

import pytest

from .helpers import HAS_SNAPSHOT
from .helpers import true_states

pytestmark = pytest.mark.integration

CUT_OFF_DIRECTORY = "d-0a0b0c0d06"
FLEET_SIZE = 6
# RebuildWorkspaces calls that get through before every connection is dropped.
ACCEPTED_BEFORE_THE_CUT = 3

PLAIN_DIRECTORY = "d-0a0b0c0d07"
WAIT_DIRECTORY = "d-0a0b0c0d08"
PLAIN_LOST = "ws-lostplain1"
WAIT_LOST = "ws-lostwait01"
# A rebuild takes 2400 simulated seconds; at this speed, REBUILD_SECONDS real ones.
REBUILD_SECONDS = 5
SPEED = 2400 / REBUILD_SECONDS


def test_connection_lost_midway(ansible, control):
    # Default timing (a rebuild takes 2400 real seconds): the accepted rebuilds are still
    # running when the test reads the true states. Nothing here waits on them.
    loaded = control.load_scenario(
        {
            "faults": {"RebuildWorkspaces": {"drop_connections": {"after": ACCEPTED_BEFORE_THE_CUT}}},
            "directories": [
                {
                    "id": CUT_OFF_DIRECTORY,
                    "name": "cutoff.example.com",
                    "fleets": [{"name": "cutoff", "count": FLEET_SIZE, "state": "ERROR", "snapshots": HAS_SNAPSHOT}],
                }
            ],
        }
    )
    fleet = sorted(loaded["workspace_ids"])
    accepted, cut_off, not_sent = fleet[:ACCEPTED_BEFORE_THE_CUT], fleet[ACCEPTED_BEFORE_THE_CUT], fleet[ACCEPTED_BEFORE_THE_CUT + 1 :]

    run = ansible.run(
        "rebuild_connection_lost.yml",
        {"directory_id": CUT_OFF_DIRECTORY, "fleet": fleet, "accepted_count": ACCEPTED_BEFORE_THE_CUT},
    )

    check = run.calls("calls_after_check")
    real = run.calls("calls_after_real") - check
    assert check.mutating() == {}

    # rebuild_requested is exactly what the simulator accepted, once each.
    result = run.result("Rebuild the fleet, losing the connection midway")
    assert real.accepted_for("RebuildWorkspaces") == {ws: 1 for ws in accepted}
    assert set(result["rebuild_requested"]) == set(real.accepted_for("RebuildWorkspaces"))
    assert real.accepted_count("RebuildWorkspaces") == ACCEPTED_BEFORE_THE_CUT

    # The dropped call was sent again only after a fresh read showed the WorkSpace unchanged,
    # until the outage bound (6 server or connection errors in a row) stopped the run. None
    # of the attempts got through; the WorkSpaces after it were never asked for.
    received = real.received_for("RebuildWorkspaces")
    assert set(received) == {*accepted, cut_off}
    assert received[cut_off] == 6
    assert cut_off not in real.accepted_for("RebuildWorkspaces")
    assert real.fault_count("RebuildWorkspaces", "dropped") == 6
    assert real.count("RebuildWorkspaces") == ACCEPTED_BEFORE_THE_CUT + 6
    assert not set(received) & set(not_sent)

    # Read again before each resend (5) and then watched for a sign of acceptance. The WorkSpaces
    # still queued ride along in those reads (25 ids a call) once their plan is 5 s old.
    reads = real.received_for("DescribeWorkspaces")
    assert cut_off in reads and set(reads) <= {cut_off, *not_sent}
    assert reads[cut_off] >= 5 + 3
    entry = next(entry for entry in result["workspaces"] if entry["workspace_id"] == cut_off)
    assert (entry["outcome"], entry["error_code"], entry["final_state"]) == ("unknown", "ConnectionClosedError", "ERROR")
    assert [request["workspace_id"] for request in result["failed_requests"]] == [cut_off]
    # Within the documented bound: backoffs of at most 1+2+4+8+8 s, then 20 s of watching.
    assert run.task("Rebuild the fleet, losing the connection midway").seconds < 60

    states = true_states(control)
    assert sorted(ws for ws, state in states.items() if state == "REBUILDING") == accepted
    assert {states[ws] for ws in [cut_off, *not_sent]} == {"ERROR"}


def test_answer_lost_after_the_rebuild_was_accepted(ansible, control):
    loaded = control.load_scenario(
        {
            "timing": {"speed": SPEED},
            "faults": {"RebuildWorkspaces": {"lose_answers": {"workspaces": [PLAIN_LOST, WAIT_LOST]}}},
            "directories": [
                {
                    "id": PLAIN_DIRECTORY,
                    "name": "plain.example.com",
                    "fleets": [{"name": "plain", "count": 2, "state": "ERROR", "snapshots": HAS_SNAPSHOT}],
                    "workspaces": [{"id": PLAIN_LOST, "user": "plain.lost", "state": "ERROR", "snapshots": HAS_SNAPSHOT}],
                },
                {
                    "id": WAIT_DIRECTORY,
                    "name": "wait.example.com",
                    "fleets": [{"name": "waited", "count": 2, "state": "ERROR", "snapshots": HAS_SNAPSHOT}],
                    "workspaces": [{"id": WAIT_LOST, "user": "wait.lost", "state": "ERROR", "snapshots": HAS_SNAPSHOT}],
                },
            ],
        }
    )
    ids = loaded["workspace_ids"]
    plain_ids, wait_ids = ids[:3], ids[3:]
    assert PLAIN_LOST in plain_ids and WAIT_LOST in wait_ids

    run = ansible.run(
        "rebuild_lost_answer.yml",
        {
            "plain_directory": PLAIN_DIRECTORY,
            "wait_directory": WAIT_DIRECTORY,
            "plain_ids": plain_ids,
            "wait_ids": wait_ids,
            "plain_lost": PLAIN_LOST,
            "wait_lost": WAIT_LOST,
        },
    )

    check = run.calls("calls_after_check")
    plain = run.calls("calls_after_plain") - check
    waited = run.calls("calls_after_wait") - run.calls("calls_after_plain")
    again = run.calls("calls_after_again") - run.calls("calls_after_wait")
    assert check.mutating() == {}

    phases = (
        (plain, PLAIN_LOST, set(plain_ids) - {PLAIN_LOST}, "Rebuild the plain directory, losing one answer", "rebuild_requested"),
        (waited, WAIT_LOST, set(wait_ids) - {WAIT_LOST}, "Rebuild the wait directory, losing one answer, and wait", "rebuilt"),
    )
    for calls, lost, others, task, outcome in phases:
        # The lost answer's call was carried out. A 500 may come after the work was done, so
        # the WorkSpace was read again before any resend: REBUILDING, so it was not sent again.
        assert calls.fault_count("RebuildWorkspaces", "answer_lost") == 1
        assert calls.received_for("RebuildWorkspaces") == {ws: 1 for ws in {lost, *others}}
        assert calls.accepted_for("RebuildWorkspaces") == {ws: 1 for ws in {lost, *others}}
        assert calls.accepted_count("RebuildWorkspaces") == 3
        # Found REBUILDING right after, the WorkSpace whose answer was lost is taken as
        # accepted: rebuild_requested is every WorkSpace the service accepted a rebuild of.
        result = run.result(task)
        assert (result["changed"], result.get("failed", False), result["failed_requests"]) == (True, False, [])
        assert set(result["rebuild_requested"]) == set(calls.accepted_for("RebuildWorkspaces")) == {lost, *others}
        assert {entry["workspace_id"]: entry["outcome"] for entry in result["workspaces"]} == {ws: outcome for ws in {lost, *others}}
        entry = next(entry for entry in result["workspaces"] if entry["workspace_id"] == lost)
        assert entry["reason"].endswith("but it was seen REBUILDING after: taken as accepted")
        assert "error_code" not in entry and "error_message" not in entry

    # Without wait, the WorkSpace whose call reported an error was read again right away: seen
    # REBUILDING, it was taken as accepted with no more reads.
    assert plain.received_for("DescribeWorkspaces") == {PLAIN_LOST: 1}
    # With wait, it was polled with the others until every rebuild was over.
    polls = waited.received_for("DescribeWorkspaces")
    assert set(polls) == set(wait_ids)
    assert polls[WAIT_LOST] >= 2
    assert run.task("Rebuild the wait directory, losing one answer, and wait").seconds >= REBUILD_SECONDS - 0.5

    assert again.mutating() == {}
    states = true_states(control)
    assert {states[ws] for ws in wait_ids} == {"AVAILABLE"}
