# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Properties of a run of any action that hold for any fleet, selection, set of AWS refusals and faults."""

from __future__ import annotations

import collections
import dataclasses
import math
import typing as t

from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ACTIONS
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionFailed
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionOptions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionReport
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionSpec
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import run_action
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.api import WorkspacesApi
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import ALL_STATES
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import OUTAGE_MAX_CONSECUTIVE_FAILURES
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import Clock

from ....helpers.fake_workspaces import BUNDLE
from ....helpers.fake_workspaces import DIRECTORY
from ....helpers.fake_workspaces import OTHER_BUNDLE
from ....helpers.fake_workspaces import OTHER_DIRECTORY
from ....helpers.fake_workspaces import FakeClock
from ....helpers.fake_workspaces import FakeWorkspacesClient
from ....helpers.fake_workspaces import access_denied
from ....helpers.fake_workspaces import connection_closed
from ....helpers.fake_workspaces import read_timeout
from ....helpers.fake_workspaces import server_error
from ....helpers.fake_workspaces import throttled
from ....helpers.fake_workspaces import when
from ....helpers.fake_workspaces import workspace
from ....helpers.fake_workspaces import ws_id

UNKNOWN_IDS = ("ws-unknown01", "ws-unknown02", "ws-unknown03")
REFUSAL = ("OperationNotSupportedException", "The operation is not supported for this WorkSpace.")
NOT_REACHED = "not acted on: the task stopped before it could read the WorkSpaces"
READS = {"DescribeWorkspaces", "DescribeTags", "DescribeWorkspaceSnapshots", "DescribeWorkspacesConnectionStatus"}


def fresh_api(fake: FakeWorkspacesClient) -> tuple[WorkspacesApi, FakeClock]:
    """A run of its own, on a clock of its own (hypothesis runs many examples per test)."""
    clock = FakeClock()
    return WorkspacesApi(fake, Clock(sleep=clock.sleep, monotonic=clock.monotonic)), clock


def run(fake: FakeWorkspacesClient, spec: ActionSpec, options: ActionOptions) -> tuple[ActionReport, ActionFailed | None, FakeClock]:
    workspaces, clock = fresh_api(fake)
    try:
        return run_action(workspaces, spec, options), None, clock
    except ActionFailed as failure:
        return failure.report, failure, clock


@dataclasses.dataclass(frozen=True)
class Member:
    workspace_id: str
    state: str
    directory_id: str
    bundle_id: str
    team: str
    held: bool  # tagged hold=yes (what exclude_tags names)
    has_snapshot: bool
    connected: bool


@dataclasses.dataclass(frozen=True)
class Scenario:
    spec: ActionSpec
    fleet: tuple[Member, ...]
    named: list[str] | None
    directory_id: str | None
    bundle_id: str | None
    team: str | None
    exclude_held: bool
    states: frozenset[str]
    refused: frozenset[str]  # answered in FailedRequests
    max_workspaces: int
    max_concurrency: int
    skip_connected: bool
    require_snapshot: bool
    first_describe_fails: bool

    def params(self) -> dict[str, t.Any]:
        return dict(
            workspace_ids=self.named,
            directory_id=self.directory_id,
            user_names=None,
            bundle_id=self.bundle_id,
            tags=None if self.team is None else {"team": self.team},
            exclude_tags={"hold": "yes"} if self.exclude_held else None,
            states=sorted(self.states),
            max_workspaces=self.max_workspaces,
            max_concurrency=self.max_concurrency,
            skip_connected=self.skip_connected,
            require_snapshot=self.require_snapshot,
            wait=False,
            wait_timeout=3600,
            wait_delay=15,
        )

    def passes_filters(self, member: Member) -> bool:
        return (
            (self.directory_id is None or member.directory_id == self.directory_id)
            and (self.bundle_id is None or member.bundle_id == self.bundle_id)
            and (self.team is None or member.team == self.team)
            and not (self.exclude_held and member.held)
        )

    def client(self) -> FakeWorkspacesClient:
        fake = FakeWorkspacesClient([workspace(m.workspace_id, m.state, directory_id=m.directory_id, bundle_id=m.bundle_id) for m in self.fleet])
        fake.tags = {m.workspace_id: {"team": m.team, **({"hold": "yes"} if m.held else {})} for m in self.fleet}
        fake.action_failures = {wid: REFUSAL for wid in self.refused}
        # A WorkSpace seeded REBOOTING has been so for long: AWS reboots it again.
        fake.stuck_rebooting = {m.workspace_id for m in self.fleet if m.state == "REBOOTING"}
        for member in self.fleet:
            if member.has_snapshot:
                fake.add_snapshot(member.workspace_id, when(2), kind=self.spec.snapshot_key or "RebuildSnapshots")
            if member.connected:
                fake.set_connection_state(member.workspace_id, "CONNECTED")
        if self.first_describe_fails:
            fake.errors["DescribeWorkspaces"] = [access_denied("DescribeWorkspaces")]
        return fake


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    spec = draw(st.sampled_from(list(ACTIONS.values())))
    size = draw(st.integers(min_value=1, max_value=25))
    fleet = tuple(
        Member(
            ws_id(n),
            draw(st.sampled_from(spec.allowed_states) | st.sampled_from(ALL_STATES)),
            draw(st.sampled_from((DIRECTORY, OTHER_DIRECTORY))),
            draw(st.sampled_from((BUNDLE, OTHER_BUNDLE))),
            draw(st.sampled_from(("red", "blue"))),
            held=draw(st.booleans()),
            # Most WorkSpaces have a snapshot and no user connected, as in a real fleet.
            has_snapshot=draw(st.sampled_from((True, True, True, False))),
            connected=draw(st.sampled_from((False, False, False, True))),
        )
        for n in range(size)
    )
    ids = [member.workspace_id for member in fleet]
    named = draw(st.none() | st.lists(st.sampled_from(ids + list(UNKNOWN_IDS)), min_size=1, max_size=40))
    # Each filter is left out more often than not, so that runs have something to rebuild.
    directory_id = draw(st.sampled_from((None, None, None, DIRECTORY, OTHER_DIRECTORY)))
    bundle_id = draw(st.sampled_from((None, None, None, BUNDLE, OTHER_BUNDLE)))
    team = draw(st.sampled_from((None, None, None, "red", "blue")))
    if named is None and directory_id is bundle_id is team is None:
        directory_id = DIRECTORY  # the module requires a selector
    return Scenario(
        spec=spec,
        fleet=fleet,
        named=named,
        directory_id=directory_id,
        bundle_id=bundle_id,
        team=team,
        exclude_held=draw(st.sampled_from((False, False, True))),
        states=draw(st.just(frozenset(spec.allowed_states)) | st.frozensets(st.sampled_from(spec.allowed_states), min_size=1)),
        refused=draw(st.frozensets(st.sampled_from(ids))),
        max_workspaces=draw(st.integers(min_value=1, max_value=15)),
        max_concurrency=draw(st.integers(min_value=1, max_value=4)),
        skip_connected=draw(st.booleans()),
        require_snapshot=draw(st.booleans()),
        first_describe_fails=draw(st.sampled_from((False,) * 9 + (True,))),
    )


@dataclasses.dataclass
class Expected:
    outcomes: dict[str, str]
    selected: set[str]
    planned: set[str]  # counted by the max_workspaces guard
    sent: set[str]  # left after the snapshot and connection checks


def expected_outcomes(scenario: Scenario) -> Expected:
    """Computed independently of the engine: the outcome each WorkSpace named or selected must end
    with, the WorkSpaces selected, those planned and those the action must be asked for."""
    spec = scenario.spec
    transitional = spec.transition.transitional_state
    by_id = {member.workspace_id: member for member in scenario.fleet}
    named = None if scenario.named is None else set(scenario.named)
    selected = {member.workspace_id for member in scenario.fleet if scenario.passes_filters(member) and (named is None or member.workspace_id in named)}
    planned = {
        wid
        for wid in selected
        if by_id[wid].state in spec.allowed_states and by_id[wid].state in scenario.states
        and by_id[wid].state != "ADMIN_MAINTENANCE" and (by_id[wid].state != transitional or transitional in scenario.states)
        and not (spec.goal_outcome and by_id[wid].state == spec.transition.target_state)
    }
    no_snapshot = {wid for wid in planned if spec.snapshot_key and scenario.require_snapshot and not by_id[wid].has_snapshot}
    connected = {wid for wid in planned - no_snapshot if spec.disrupts_user and scenario.skip_connected and by_id[wid].connected}
    sent = planned - no_snapshot - connected
    expected = {}
    for wid in named if named is not None else selected:
        member = by_id.get(wid)
        if member is None:
            expected[wid] = "failed"
        elif wid not in selected:
            expected[wid] = "skipped"
        elif member.state == "ADMIN_MAINTENANCE":
            expected[wid] = "skipped"  # even when named: maintenance is an administrator's decision
        elif spec.goal_outcome and member.state == spec.transition.target_state:
            expected[wid] = spec.goal_outcome  # already there, even when named
        elif member.state == transitional and wid not in planned:
            expected[wid] = "in_progress"
        elif wid in sent:
            expected[wid] = "failed" if wid in scenario.refused else spec.requested_outcome
        elif wid in planned or member.state in spec.allowed_states:
            expected[wid] = "skipped"
        else:
            expected[wid] = "failed" if named is not None else "skipped"
    return Expected(expected, selected, planned, sent)


@settings(max_examples=200, deadline=None, database=None)
@given(scenarios())
def test_every_workspace_ends_with_exactly_one_outcome(scenario: Scenario) -> None:
    """Whatever the fleet and options: one outcome per WorkSpace named or selected, the expected one;
    one action call per WorkSpace requested or refused by AWS, none for those without a snapshot (when
    required) or with a connected user (when skipped), no read after a refusal; nothing else touched.
    Also when the very first describe fails: every WorkSpace named is then reported once, skipped."""
    fake = scenario.client()
    expected = expected_outcomes(scenario)
    options = ActionOptions.from_params(scenario.params(), check_mode=False)
    spec = scenario.spec
    report, failure, _clock = run(fake, spec, options)
    event(f"action: {spec.name}")

    stopped = failure is not None
    if scenario.first_describe_fails:
        event("stopped: first describe failed")
        assert failure is not None and str(failure) == "Stopped before any change: the WorkSpaces could not be read"
        want = {wid: "skipped" for wid in scenario.named or ()}
        expected = Expected(want, set(), set(), set())
        assert fake.operations == ["DescribeWorkspaces"]
        assert all(o.reason == NOT_REACHED for o in report.outcomes)
    elif stopped:
        # Only the max_workspaces guard can stop this run otherwise: then nothing at all is requested.
        event("stopped by max_workspaces")
        assert len(expected.planned) > scenario.max_workspaces
        assert fake.action_calls(spec.operation) == []
        expected.outcomes = {wid: "skipped" if wid in expected.planned else outcome for wid, outcome in expected.outcomes.items()}
        expected.sent = set()
    else:
        event(f"requests sent: {'5 or more' if len(expected.sent) >= 5 else len(expected.sent)}")
        assert len(expected.planned) <= scenario.max_workspaces

    result = report.as_result(with_diff=True)
    reported_ids = [entry["workspace_id"] for entry in result["workspaces"]]
    assert reported_ids == sorted(expected.outcomes), "each WorkSpace exactly once, sorted"
    assert {entry["workspace_id"]: entry["outcome"] for entry in result["workspaces"]} == expected.outcomes

    calls = fake.action_calls(spec.operation)
    requested = result[spec.requested_outcome]
    refused = [e for e in result["workspaces"] if (e.get("error_code"), e.get("error_message")) == REFUSAL]
    assert len(calls) == len(requested) + len(refused)
    assert max(collections.Counter(calls).values(), default=0) <= 1, "no WorkSpace is asked twice"
    assert set(calls) == expected.sent, "every WorkSpace left to send is asked, nothing else"
    assert expected.sent <= expected.planned <= expected.selected
    assert sorted(requested) == sorted(fake.accepted)
    assert result["changed"] is bool(requested)
    assert set(result["diff"]["before"]) == set(requested)
    assert len(result["failed_requests"]) == sum(outcome == "failed" for outcome in expected.outcomes.values())
    assert set(fake.operations) - READS <= {spec.operation}
    operations = fake.operations
    after_requests = operations[operations.index(spec.operation) :] if calls else []
    assert "DescribeWorkspaces" not in after_requests, "no time passed: nothing is read again, refused or not"

    snapshot_reads = sorted(params["WorkspaceId"] for params in fake.calls_of("DescribeWorkspaceSnapshots"))
    wanted_reads = [] if stopped or spec.snapshot_key is None else sorted(expected.planned)
    assert snapshot_reads == wanted_reads, "snapshots read once for each planned WorkSpace, only those"
    connection_reads = [params["WorkspaceIds"] for params in fake.calls_of("DescribeWorkspacesConnectionStatus")]
    if scenario.skip_connected and spec.disrupts_user and not stopped:
        checked = {wid for wid in expected.planned if not (spec.snapshot_key and scenario.require_snapshot and not _member(scenario, wid).has_snapshot)}
        assert sorted(wid for ids in connection_reads for wid in ids) == sorted(checked), "each connection read once, right before"
        assert len(connection_reads) == math.ceil(len(checked) / 25)
    else:
        assert connection_reads == []

    for params in fake.calls_of("DescribeTags"):
        member = _member(scenario, params["ResourceId"])
        assert scenario.team is not None or scenario.exclude_held
        assert scenario.named is None or member.workspace_id in scenario.named
        assert (scenario.directory_id in (None, member.directory_id)) and (scenario.bundle_id in (None, member.bundle_id)), (
            "tags are read only for WorkSpaces left by the other selectors"
        )


def _member(scenario: Scenario, workspace_id: str) -> Member:
    return next(member for member in scenario.fleet if member.workspace_id == workspace_id)


# ---------------------------------------------------------------------- under faults

# How the calls of the action about one WorkSpace go. The reads after an accepted request show the
# transitional state for a while (a real action takes minutes), possibly after stale reads.
FAULTS = (
    "ok",
    "refused",  # FailedRequests
    "lost-answer",  # accepted, the answer lost (5xx, connection closed, read timeout)
    "lost-answer-stale-read",  # the same, the forced read still shows the old state: the resend is refused
    "error-not-accepted",  # 5xx, not accepted: resent after a read, accepted
    "error-then-refused",  # 5xx, not accepted, the resend refused: unknown
    "throttled",  # throttled a few times, then accepted
)
LOST = (server_error, connection_closed, read_timeout)


@dataclasses.dataclass(frozen=True)
class FaultScenario:
    spec: ActionSpec
    states: tuple[str, ...]
    faults: tuple[str, ...]
    lost_error: int
    unknown_named: int
    outage: bool  # every call of the action answers 500
    first_describe_fails: bool
    max_concurrency: int
    wait: bool

    @property
    def ids(self) -> list[str]:
        return [ws_id(n) for n in range(len(self.states))]

    @property
    def named(self) -> list[str]:
        return self.ids + list(UNKNOWN_IDS[: self.unknown_named])

    def client(self) -> FakeWorkspacesClient:
        fake = FakeWorkspacesClient([workspace(wid, state) for wid, state in zip(self.ids, self.states, strict=True)])
        lost = LOST[self.lost_error]
        transitional, target = self.spec.transition.transitional_state, self.spec.transition.target_state
        for wid, state, fault in zip(self.ids, self.states, self.faults, strict=True):
            fake.add_snapshot(wid, when(2), kind=self.spec.snapshot_key or "RebuildSnapshots")
            if fault == "refused":
                fake.action_failures[wid] = REFUSAL
            elif fault == "lost-answer":
                fake.errors_after_accepting[wid] = [lost()]
                fake.reads_after_action[wid] = (transitional,) * 4 + (target,)
            elif fault == "lost-answer-stale-read":
                fake.errors_after_accepting[wid] = [lost()]
                fake.reads_after_action[wid] = (state,) + (transitional,) * 4 + (target,)
            elif fault == "error-not-accepted":
                fake.action_errors[wid] = [lost()]
            elif fault == "error-then-refused":
                fake.action_errors[wid] = [lost()]
                fake.action_failures[wid] = REFUSAL
            elif fault == "throttled":
                fake.action_errors[wid] = [throttled(), throttled()]
        if self.outage:
            fake.errors[self.spec.operation] = [server_error(self.spec.operation) for _attempt in range(100)]
        if self.first_describe_fails:
            fake.errors["DescribeWorkspaces"] = [server_error("DescribeWorkspaces")] * OUTAGE_MAX_CONSECUTIVE_FAILURES
        return fake

    def options(self) -> ActionOptions:
        return ActionOptions.from_params(
            dict(
                workspace_ids=self.named,
                states=list(self.spec.allowed_states),
                max_workspaces=len(self.states),
                max_concurrency=self.max_concurrency,
                wait=self.wait,
                wait_timeout=600,
                wait_delay=15,
            ),
            check_mode=False,
        )


@st.composite
def fault_scenarios(draw: st.DrawFn) -> FaultScenario:
    spec = draw(st.sampled_from(list(ACTIONS.values())))
    # The states each action starts from, but its own transitional one (a different story).
    startable = [state for state in spec.allowed_states if state != spec.transition.transitional_state]
    size = draw(st.integers(min_value=1, max_value=8))
    return FaultScenario(
        spec=spec,
        states=tuple(draw(st.sampled_from(startable)) for _n in range(size)),
        faults=tuple(draw(st.sampled_from(FAULTS)) for _n in range(size)),
        lost_error=draw(st.integers(min_value=0, max_value=len(LOST) - 1)),
        unknown_named=draw(st.integers(min_value=0, max_value=2)),
        outage=draw(st.sampled_from((False,) * 5 + (True,))),
        first_describe_fails=draw(st.sampled_from((False,) * 9 + (True,))),
        max_concurrency=draw(st.integers(min_value=1, max_value=4)),
        wait=draw(st.booleans()),
    )


# What each fault must end in, when the run neither stopped nor hit the outage bound:
# the action accepted (requested, or done with a wait), refused, or unknown.
FAULT_OUTCOMES = {
    "ok": "accepted",
    "refused": "failed",
    "lost-answer": "accepted",
    "lost-answer-stale-read": "accepted",
    "error-not-accepted": "accepted",
    "error-then-refused": "unknown",
    "throttled": "accepted",
}


# The faults that lose a whole call's answer with an error that may follow acceptance.
AMBIGUOUS_FAULTS = {"lost-answer", "lost-answer-stale-read", "error-not-accepted", "error-then-refused"}


def fault_outcomes(spec: ActionSpec, fault: str) -> set[str]:
    kind = FAULT_OUTCOMES[fault]
    return {spec.requested_outcome, spec.past_participle} if kind == "accepted" else {kind}


@settings(max_examples=150, deadline=None, database=None)
@given(fault_scenarios())
def test_under_faults_every_workspace_is_reported_once_and_never_requested_twice(scenario: FaultScenario) -> None:
    """Lost answers, stale reads, throttling, refusals after errors, an outage, a failing first describe:
    every WorkSpace asked for appears exactly once; AWS accepts at most one rebuild per WorkSpace; an
    accepted rebuild is never reported unchanged; rebuild_requested lists only rebuilds AWS accepted; an
    outage stops the requests within the bound."""
    fake = scenario.client()
    spec = scenario.spec
    event(f"action: {spec.name}")
    workspaces, clock = fresh_api(fake)
    try:
        report = run_action(workspaces, spec, scenario.options())
        failure = None
    except ActionFailed as stopped:
        report, failure = stopped.report, stopped
    result = report.as_result(with_diff=True)
    by_id = {entry["workspace_id"]: entry for entry in result["workspaces"]}

    assert sorted(entry["workspace_id"] for entry in result["workspaces"]) == sorted(scenario.named), "each WorkSpace asked for exactly once"

    accepted = collections.Counter(fake.accepted)
    requested = result[spec.requested_outcome]
    assert max(accepted.values(), default=0) <= 1, "no WorkSpace is ever acted on twice"
    assert set(requested) <= set(accepted), "<verb>_requested lists only requests AWS accepted"
    for wid in accepted:
        outcome = by_id[wid]["outcome"]
        assert outcome in (spec.requested_outcome, spec.past_participle, "unknown"), f"{wid} was accepted: it must not read {outcome}"
    if accepted:
        assert result["changed"] is True
    sent = set(fake.action_calls(spec.operation))
    for wid, entry in by_id.items():
        if wid not in sent:
            assert entry["outcome"] in ("skipped", "failed"), f"{wid} was never sent"
        if entry["outcome"] == "unknown":
            assert wid in sent and wid not in requested
            assert {"workspace_id": wid, "error_code": entry["error_code"], "error_message": entry["error_message"]} in result["failed_requests"]
    assert report.failed is any(entry["outcome"] in ("failed", "unknown") for entry in result["workspaces"])

    if scenario.first_describe_fails:
        event("first describe failed")
        assert failure is not None and fake.action_calls(spec.operation) == []
        assert all(entry["outcome"] == "skipped" and entry["reason"] == NOT_REACHED for entry in result["workspaces"])
    elif scenario.outage:
        event("outage of the action's operation")
        assert failure is not None and workspaces.outage.reason is not None
        # Calls, not WorkSpaces: a batch action names up to 25 WorkSpaces a call.
        assert len(fake.calls_of(spec.operation)) <= OUTAGE_MAX_CONSECUTIVE_FAILURES + scenario.max_concurrency - 1
        assert not accepted
    elif workspaces.outage.reason is None:
        event("no outage")
        for wid, fault in zip(scenario.ids, scenario.faults, strict=True):
            allowed = fault_outcomes(spec, fault)
            if fault == "refused" and spec.batch_size > 1 and set(scenario.faults) & AMBIGUOUS_FAULTS:
                # Refused in a call whose answer was lost (a sibling's fault): the refusal was never
                # seen, and the resend's refusal could be the first request's doing. Unknown is honest.
                allowed = allowed | {"unknown"}
            assert by_id[wid]["outcome"] in allowed, (wid, fault, by_id[wid])
            if scenario.wait and FAULT_OUTCOMES[fault] == "accepted":
                assert by_id[wid]["outcome"] == spec.past_participle
    else:
        # Lost answers are failed attempts: six in a row (no successful call in between) are an outage too.
        event("outage from lost answers")
        assert failure is not None
    for missing in UNKNOWN_IDS[: scenario.unknown_named]:
        assert by_id[missing]["outcome"] in ("failed", "skipped")
