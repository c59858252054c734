# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Properties of a rebuild run that hold for any fleet, selection and set of AWS refusals."""

from __future__ import annotations

import collections
import dataclasses
import typing as t

from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import REBUILD
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionFailed
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionOptions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import run_action
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import ALL_STATES

from ....helpers.fake_workspaces import BUNDLE
from ....helpers.fake_workspaces import DIRECTORY
from ....helpers.fake_workspaces import OTHER_BUNDLE
from ....helpers.fake_workspaces import OTHER_DIRECTORY
from ....helpers.fake_workspaces import FakeWorkspacesClient
from ....helpers.fake_workspaces import workspace
from ....helpers.fake_workspaces import ws_id

UNKNOWN_IDS = ("ws-unknown01", "ws-unknown02", "ws-unknown03")
REFUSAL = ("OperationNotSupportedException", "The operation is not supported for this WorkSpace.")


@dataclasses.dataclass(frozen=True)
class Member:
    workspace_id: str
    state: str
    directory_id: str
    bundle_id: str
    team: str


@dataclasses.dataclass(frozen=True)
class Scenario:
    fleet: tuple[Member, ...]
    named: list[str] | None
    directory_id: str | None
    bundle_id: str | None
    team: str | None
    states: frozenset[str]
    refused: frozenset[str]  # answered in FailedRequests
    max_workspaces: int
    max_concurrency: int

    def params(self) -> dict[str, t.Any]:
        return dict(
            workspace_ids=self.named,
            directory_id=self.directory_id,
            user_names=None,
            bundle_id=self.bundle_id,
            tags=None if self.team is None else {"team": self.team},
            states=sorted(self.states),
            max_workspaces=self.max_workspaces,
            max_concurrency=self.max_concurrency,
            wait=False,
            wait_timeout=3600,
            wait_delay=15,
        )

    def passes_filters(self, member: Member) -> bool:
        return (
            (self.directory_id is None or member.directory_id == self.directory_id)
            and (self.bundle_id is None or member.bundle_id == self.bundle_id)
            and (self.team is None or member.team == self.team)
        )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    size = draw(st.integers(min_value=1, max_value=25))
    fleet = tuple(
        Member(
            ws_id(n),
            draw(st.sampled_from(REBUILD.allowed_states) | st.sampled_from(ALL_STATES)),
            draw(st.sampled_from((DIRECTORY, OTHER_DIRECTORY))),
            draw(st.sampled_from((BUNDLE, OTHER_BUNDLE))),
            draw(st.sampled_from(("red", "blue"))),
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
        fleet=fleet,
        named=named,
        directory_id=directory_id,
        bundle_id=bundle_id,
        team=team,
        states=draw(st.just(frozenset(REBUILD.allowed_states)) | st.frozensets(st.sampled_from(REBUILD.allowed_states), min_size=1)),
        refused=draw(st.frozensets(st.sampled_from(ids))),
        max_workspaces=draw(st.integers(min_value=1, max_value=15)),
        max_concurrency=draw(st.integers(min_value=1, max_value=4)),
    )


def expected_outcomes(scenario: Scenario) -> tuple[dict[str, str], set[str], set[str]]:
    """Computed independently of the engine: the outcome each WorkSpace named or selected must
    end with, the WorkSpaces selected, and those a rebuild must be asked for."""
    by_id = {member.workspace_id: member for member in scenario.fleet}
    named = None if scenario.named is None else set(scenario.named)
    selected = {member.workspace_id for member in scenario.fleet if scenario.passes_filters(member) and (named is None or member.workspace_id in named)}
    planned = {wid for wid in selected if by_id[wid].state in REBUILD.allowed_states and by_id[wid].state in scenario.states}
    expected = {}
    for wid in named if named is not None else selected:
        member = by_id.get(wid)
        if member is None:
            expected[wid] = "failed"
        elif wid not in selected:
            expected[wid] = "skipped"
        elif member.state == "REBUILDING":
            expected[wid] = "in_progress"
        elif wid in planned:
            expected[wid] = "failed" if wid in scenario.refused else "rebuild_requested"
        elif member.state in REBUILD.allowed_states:
            expected[wid] = "skipped"
        else:
            expected[wid] = "failed" if named is not None else "skipped"
    return expected, selected, planned


@settings(max_examples=150, deadline=None, database=None)
@given(scenarios())
def test_every_workspace_ends_with_exactly_one_outcome(scenario: Scenario) -> None:
    """Whatever the fleet and options: one outcome per WorkSpace named or selected, the expected one;
    one rebuild call per WorkSpace requested or refused by AWS, the refused ones read once more;
    nothing else touched."""
    fake = FakeWorkspacesClient([workspace(m.workspace_id, m.state, directory_id=m.directory_id, bundle_id=m.bundle_id) for m in scenario.fleet])
    fake.tags = {m.workspace_id: {"team": m.team} for m in scenario.fleet}
    fake.rebuild_failures = {wid: REFUSAL for wid in scenario.refused}
    expected, selected, planned = expected_outcomes(scenario)
    options = ActionOptions.from_params(scenario.params(), check_mode=False)

    stopped = False
    try:
        report = run_action(fake, REBUILD, options)
    except ActionFailed as failure:
        stopped = True
        # Only the max_workspaces guard can stop this run: then nothing at all is requested.
        event("stopped by max_workspaces")
        assert len(planned) > scenario.max_workspaces
        assert fake.rebuild_calls == []
        report = failure.report
        expected = {wid: "skipped" if wid in planned else outcome for wid, outcome in expected.items()}
    else:
        event(f"rebuilds planned: {'5 or more' if len(planned) >= 5 else len(planned)}")
        assert len(planned) <= scenario.max_workspaces

    result = report.as_result(with_diff=True)
    reported_ids = [entry["workspace_id"] for entry in result["workspaces"]]
    assert reported_ids == sorted(expected), "each WorkSpace exactly once, sorted"
    assert {entry["workspace_id"]: entry["outcome"] for entry in result["workspaces"]} == expected

    calls = fake.rebuild_calls
    refused = [e for e in result["workspaces"] if (e.get("error_code"), e.get("error_message")) == REFUSAL]
    assert len(calls) == len(result["rebuild_requested"]) + len(refused)
    assert max(collections.Counter(calls).values(), default=0) <= 1, "no WorkSpace is asked twice"
    assert set(calls) == (set() if stopped else planned), "every planned WorkSpace is asked, nothing else"
    assert planned <= selected
    assert sorted(result["rebuild_requested"]) == sorted(fake.accepted)
    assert result["changed"] is bool(result["rebuild_requested"])
    assert set(result["diff"]["before"]) == set(result["rebuild_requested"])
    assert len(result["failed_requests"]) == sum(outcome == "failed" for outcome in expected.values())
    operations = fake.operations
    after_rebuilds = operations[operations.index("RebuildWorkspaces") :] if calls else []
    assert after_rebuilds.count("DescribeWorkspaces") == (1 if refused else 0), "refused WorkSpaces (at most 25) are read again in one call"

    by_id = {member.workspace_id: member for member in scenario.fleet}
    for params in fake.calls_of("DescribeTags"):
        member = by_id[params["ResourceId"]]
        assert scenario.team is not None
        assert scenario.named is None or member.workspace_id in scenario.named
        assert (scenario.directory_id in (None, member.directory_id)) and (scenario.bundle_id in (None, member.bundle_id)), (
            "tags are read only for WorkSpaces left by the other selectors"
        )
