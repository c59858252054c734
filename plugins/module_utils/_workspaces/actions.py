# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""The engine every WorkSpaces action module runs: plan -> guard -> submit -> wait -> report.

An action (rebuild now; reboot, restore, start and stop are the same flow) is described by
an ActionSpec: the API call, the states it may start from, and the states it moves a
WorkSpace through. Everything else is shared. Every WorkSpace named or selected ends with
exactly one WorkspaceOutcome, whatever happens to the others.
"""

from __future__ import annotations

import dataclasses
import threading
import typing as t

from .api import AWSEntry
from .api import describe_workspaces_by_ids
from .api import rebuild_workspaces
from .common import CALLER_ERROR_CODES
from .common import InvalidOptionError
from .common import WorkspacesError
from .common import chunks
from .common import error_code
from .common import error_message
from .common import max_items
from .concurrency import map_concurrently
from .selection import Selection
from .selection import Selectors
from .selection import select_workspaces
from .waiter import FAILED
from .waiter import GONE
from .waiter import SUCCEEDED
from .waiter import TIMED_OUT
from .waiter import Transition
from .waiter import Watch
from .waiter import wait_for

# Outcomes shared by every action; each action adds its own "requested" and "done" ones.
IN_PROGRESS = "in_progress"
SKIPPED = "skipped"
FAILED_OUTCOME = "failed"

# The module's own error codes, beside the ones AWS returns.
NOT_FOUND_CODE = "WorkspaceNotFound"
INVALID_STATE_CODE = "InvalidWorkspaceState"
WAIT_TIMEOUT_CODE = "WaitTimeout"


@dataclasses.dataclass(frozen=True)
class ActionSpec:
    """What makes one WorkSpaces action different from another: data, not code."""

    name: str  # "rebuild", as in "rebuild requested"
    past_participle: str  # "rebuilt", as in "cannot be rebuilt" and the outcome after a wait
    operation: str  # the API operation, for messages
    submit: t.Callable[[t.Any, t.Sequence[str]], list[AWSEntry]]  # returns FailedRequests
    request_shape: str  # the request list's shape in botocore's model; its max is the batch size
    allowed_states: tuple[str, ...]  # the states AWS accepts the action in
    transition: Transition
    failed_code: str  # error_code when the WorkSpace ends in a failure state

    @property
    def requested_outcome(self) -> str:
        return f"{self.name}_requested"

    @property
    def batch_size(self) -> int:
        return max_items(self.request_shape)


REBUILD = ActionSpec(
    name="rebuild",
    past_participle="rebuilt",
    operation="RebuildWorkspaces",
    submit=rebuild_workspaces,
    request_shape="RebuildWorkspaceRequests",
    allowed_states=("AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED", "REBOOTING"),
    transition=Transition(
        transitional_state="REBUILDING",
        target_state="AVAILABLE",
        failure_states=frozenset(("ERROR", "UNHEALTHY")),
    ),
    failed_code="RebuildFailed",
)


def action_argument_spec(spec: ActionSpec) -> dict[str, t.Any]:
    """The options every action module adds to the selection options."""
    return dict(
        states=dict(type="list", elements="str", choices=list(spec.allowed_states), default=list(spec.allowed_states)),
        max_workspaces=dict(type="int", default=10),
        max_concurrency=dict(type="int", default=5),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=3600),
        wait_delay=dict(type="int", default=15),
    )


@dataclasses.dataclass(frozen=True)
class ActionOptions:
    """The task's options, checked before any API call."""

    selectors: Selectors
    states: frozenset[str]
    max_workspaces: int
    max_concurrency: int
    wait: bool
    wait_timeout: int
    wait_delay: int
    check_mode: bool

    @classmethod
    def from_params(cls, params: t.Mapping[str, t.Any], check_mode: bool) -> ActionOptions:
        return cls(
            selectors=Selectors.from_params(params),
            states=frozenset(params["states"]),
            max_workspaces=params["max_workspaces"],
            max_concurrency=params["max_concurrency"],
            wait=params["wait"],
            wait_timeout=params["wait_timeout"],
            wait_delay=params["wait_delay"],
            check_mode=check_mode,
        )

    def validate(self) -> None:
        """Raise InvalidOptionError naming every unusable option."""
        problems = []
        try:
            self.selectors.validate()
        except InvalidOptionError as error:
            problems.append(str(error))
        if self.selectors.is_empty:
            problems.append("one of workspace_ids, directory_id, bundle_id or tags is required")
        for name in ("max_workspaces", "max_concurrency", "wait_timeout", "wait_delay"):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be at least 1")
        if not self.states:
            problems.append("states must name at least one state")
        if problems:
            raise InvalidOptionError("; ".join(problems))


@dataclasses.dataclass
class WorkspaceOutcome:
    """What happened to one WorkSpace."""

    workspace_id: str
    outcome: str
    state: str | None = None
    final_state: str | None = None
    directory_id: str | None = None
    user_name: str | None = None
    computer_name: str | None = None
    bundle_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    reason: str | None = None
    # True once the action was accepted for it (or would be, in check mode).
    requested: bool = False

    @classmethod
    def of(cls, workspace: AWSEntry, outcome: str) -> WorkspaceOutcome:
        return cls(
            workspace_id=workspace["WorkspaceId"],
            outcome=outcome,
            state=workspace.get("State"),
            final_state=workspace.get("State"),
            directory_id=workspace.get("DirectoryId"),
            user_name=workspace.get("UserName"),
            computer_name=workspace.get("ComputerName"),
            bundle_id=workspace.get("BundleId"),
        )

    def fail(self, code: str | None, message: str) -> None:
        self.outcome = FAILED_OUTCOME
        self.error_code = code
        self.error_message = message
        self.reason = None

    def skip(self, reason: str) -> None:
        self.outcome = SKIPPED
        self.reason = reason
        self.requested = False

    def as_result(self) -> dict[str, t.Any]:
        result = dataclasses.asdict(self)
        del result["requested"]
        for optional in ("error_code", "error_message", "reason"):
            if result[optional] is None:
                del result[optional]
        return result


@dataclasses.dataclass
class ActionReport:
    """Every outcome of one run, and the module result built from them."""

    spec: ActionSpec
    outcomes: list[WorkspaceOutcome]
    check_mode: bool

    @property
    def changed(self) -> bool:
        return any(outcome.requested for outcome in self.outcomes)

    @property
    def failed(self) -> bool:
        return any(outcome.outcome == FAILED_OUTCOME for outcome in self.outcomes)

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
        parts = ", ".join(f"{count} {name}" for name, count in sorted(counts.items())) or "nothing to do"
        noun = "WorkSpace" if len(self.outcomes) == 1 else "WorkSpaces"
        suffix = "; check mode: nothing was changed" if self.check_mode else ""
        return f"{len(self.outcomes)} {noun}: {parts}{suffix}"

    def as_result(self, with_diff: bool) -> dict[str, t.Any]:
        result: dict[str, t.Any] = dict(
            changed=self.changed,
            msg=self.summary(),
            workspaces=[outcome.as_result() for outcome in self.outcomes],
            failed_requests=[
                dict(workspace_id=o.workspace_id, error_code=o.error_code, error_message=o.error_message)
                for o in self.outcomes
                if o.outcome == FAILED_OUTCOME
            ],
        )
        result[self.spec.requested_outcome] = [o.workspace_id for o in self.outcomes if o.requested]
        if with_diff:
            result["diff"] = self._diff()
        return result

    def _diff(self) -> dict[str, dict[str, str | None]]:
        """State before and after of each WorkSpace the action was (or would be) requested for."""
        requested = [o for o in self.outcomes if o.requested]
        return dict(
            before={o.workspace_id: o.state for o in requested},
            after={o.workspace_id: self._state_after(o) for o in requested},
        )

    def _state_after(self, outcome: WorkspaceOutcome) -> str | None:
        # Not waited on (or check mode): an accepted request leaves it in the transitional state.
        if outcome.outcome == self.spec.requested_outcome:
            return self.spec.transition.transitional_state
        return outcome.final_state


class ActionFailed(Exception):
    """The run stopped early; report says what had happened by then."""

    def __init__(self, message: str, report: ActionReport, error: WorkspacesError | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.report = report
        self.error = error


def run_action(client: t.Any, spec: ActionSpec, options: ActionOptions) -> ActionReport:
    """Plan, guard, submit and (optionally) wait; the report of every WorkSpace."""
    options.validate()
    selection = select_workspaces(client, options.selectors, options.max_concurrency)
    report = ActionReport(spec, plan(spec, options, selection), options.check_mode)
    guard(report, options.max_workspaces)
    if options.check_mode:
        return report

    stopping_error = submit(client, spec, report.outcomes, options.max_concurrency)
    if stopping_error is not None:
        raise ActionFailed(f"Stopped after a {spec.operation} call failed", report, stopping_error)
    if options.wait:
        try:
            wait(client, spec, report.outcomes, options)
        except WorkspacesError as wait_error:
            raise ActionFailed("Stopped while waiting", report, wait_error) from wait_error
    return report


def plan(spec: ActionSpec, options: ActionOptions, selection: Selection) -> list[WorkspaceOutcome]:
    """One outcome per WorkSpace named or selected, before any change."""
    outcomes = [
        WorkspaceOutcome(workspace_id=missing, outcome=FAILED_OUTCOME, error_code=NOT_FOUND_CODE,
                         error_message=f"No WorkSpace {missing} was found in this region")
        for missing in selection.missing_ids
    ]
    for workspace, reason in selection.excluded:
        excluded = WorkspaceOutcome.of(workspace, SKIPPED)
        excluded.reason = f"not selected: {reason}"
        outcomes.append(excluded)
    named = set(options.selectors.workspace_ids or ())
    outcomes.extend(_plan_one(spec, options.states, workspace, workspace["WorkspaceId"] in named)
                    for workspace in selection.matched)
    return sorted(outcomes, key=lambda outcome: outcome.workspace_id)


def _plan_one(spec: ActionSpec, states: frozenset[str], workspace: AWSEntry, named: bool) -> WorkspaceOutcome:
    outcome = WorkspaceOutcome.of(workspace, spec.requested_outcome)
    state = outcome.state
    if state == spec.transition.transitional_state:
        outcome.outcome = IN_PROGRESS
    elif state in spec.allowed_states and state in states:
        outcome.requested = True
    elif state in spec.allowed_states:
        outcome.skip(f"state {state} is not in states ({', '.join(sorted(states))})")
    else:
        why = f"a WorkSpace in state {state} cannot be {spec.past_participle} (only {', '.join(spec.allowed_states)})"
        if named:
            # Named explicitly: the operator expected it to be acted on, so say so loudly.
            outcome.fail(INVALID_STATE_CODE, why)
        else:
            outcome.skip(why)
    return outcome


def guard(report: ActionReport, max_workspaces: int) -> None:
    """Refuse, before any change, to act on more WorkSpaces than the operator allowed."""
    planned = [outcome for outcome in report.outcomes if outcome.requested]
    if len(planned) <= max_workspaces:
        return
    for outcome in planned:
        outcome.skip(f"not requested: {len(planned)} WorkSpaces matched, more than max_workspaces ({max_workspaces})")
    raise ActionFailed(
        f"{len(planned)} WorkSpaces would be {report.spec.past_participle}, more than max_workspaces "
        f"({max_workspaces}); nothing was changed: narrow the selection or raise max_workspaces",
        report,
    )


def submit(client: t.Any, spec: ActionSpec, outcomes: t.Sequence[WorkspaceOutcome], max_concurrency: int) -> WorkspacesError | None:
    """Send the planned requests, up to max_concurrency calls at once, each WorkSpace once.

    Returns the error that stopped the run (a caller or connection error), if any: the
    requests not yet sent are then not sent, and their WorkSpaces say so.
    """
    planned = [outcome for outcome in outcomes if outcome.requested]
    stop = threading.Event()
    stopping_errors: list[WorkspacesError] = []
    refused: list[WorkspaceOutcome] = []

    def send(batch: t.Sequence[WorkspaceOutcome]) -> None:
        if stop.is_set():
            for outcome in batch:
                outcome.skip(f"not requested: the task stopped after an error on another {spec.operation} call")
            return
        try:
            failed_requests = spec.submit(client, [outcome.workspace_id for outcome in batch])
        except WorkspacesError as error:
            if _stops_the_run(error):
                stop.set()
                stopping_errors.append(error)
            for outcome in batch:
                outcome.requested = False
                outcome.fail(error_code(error.exception) or type(error.exception).__name__, error_message(error.exception))
            refused.extend(batch)
            return
        refused.extend(_apply_failed_requests(batch, failed_requests))

    map_concurrently(send, list(chunks(planned, spec.batch_size)), max_concurrency)
    reconcile(client, spec, refused)
    return stopping_errors[0] if stopping_errors else None


def reconcile(client: t.Any, spec: ActionSpec, refused: t.Sequence[WorkspaceOutcome]) -> None:
    """Read again the WorkSpaces whose request reported an error; count those now in the
    transitional state as accepted.

    An answer lost on the way back (a dropped connection, a 5xx) makes the caller retry;
    if AWS had accepted the first attempt, the retry is refused because the WorkSpace is
    already in the transitional state. The request was accepted, so the outcome is the
    requested one (it counts as a change and is waited on), with the error kept in reason.
    """
    if not refused:
        return
    try:
        states = read_states(client, [outcome.workspace_id for outcome in refused])
    except WorkspacesError:
        return  # The connection may be gone: the errors already recorded stand.
    transitional = spec.transition.transitional_state
    for outcome in refused:
        if states.get(outcome.workspace_id) == transitional:
            outcome.reason = (
                f"its {spec.operation} call reported {outcome.error_code or 'an error'} ({outcome.error_message}), "
                f"but it was {transitional} right after: taken as accepted"
            )
            outcome.outcome = spec.requested_outcome
            outcome.requested = True
            outcome.final_state = transitional
            outcome.error_code = outcome.error_message = None


def read_states(client: t.Any, workspace_ids: t.Sequence[str]) -> dict[str, str]:
    """{id: state} of those of the WorkSpaces that exist, 25 ids per call."""
    return {ws["WorkspaceId"]: ws["State"] for ws in describe_workspaces_by_ids(client, workspace_ids)}


def _stops_the_run(error: WorkspacesError) -> bool:
    """Caller errors (credentials, permissions) and lost connections end the run; an error
    about one WorkSpace (OperationNotSupportedException, ...) ends only that WorkSpace."""
    code = error_code(error.exception)
    return code is None or code in CALLER_ERROR_CODES


def _apply_failed_requests(batch: t.Sequence[WorkspaceOutcome], failed_requests: t.Sequence[AWSEntry]) -> list[WorkspaceOutcome]:
    """Mark the WorkSpaces AWS refused as failed, with its code and message verbatim; return them."""
    by_id = {entry.get("WorkspaceId"): entry for entry in failed_requests}
    refused = []
    for outcome in batch:
        entry = by_id.get(outcome.workspace_id)
        if entry is None and len(batch) == 1 and failed_requests:
            entry = failed_requests[0]  # a one-request call: its failure is this WorkSpace's
        if entry is not None:
            outcome.requested = False
            outcome.fail(entry.get("ErrorCode"), entry.get("ErrorMessage", ""))
            refused.append(outcome)
    return refused


def wait(client: t.Any, spec: ActionSpec, outcomes: t.Sequence[WorkspaceOutcome], options: ActionOptions) -> None:
    """Wait for the requested and the already-in-progress WorkSpaces; record how each ended."""
    waited = {o.workspace_id: o for o in outcomes if o.requested or o.outcome == IN_PROGRESS}
    transitional = spec.transition.transitional_state
    # Already seen in the transitional state: found in it by the plan (in_progress), or by
    # reconcile right after a call whose answer was lost.
    watches = [
        Watch(workspace_id=o.workspace_id, seen_transitional=o.final_state == transitional)
        for o in waited.values()
    ]

    try:
        wait_for(watches, spec.transition, lambda ids: read_states(client, ids), options.wait_timeout, options.wait_delay)
    finally:
        for watch in watches:
            _record_end(spec, waited[watch.workspace_id], watch, options.wait_timeout)


def _record_end(spec: ActionSpec, outcome: WorkspaceOutcome, watch: Watch, timeout: int) -> None:
    outcome.final_state = watch.last_state if watch.last_state is not None else outcome.final_state
    if watch.status == SUCCEEDED and outcome.requested:
        outcome.outcome = spec.past_participle
    elif watch.status == FAILED:
        outcome.fail(spec.failed_code, f"the WorkSpace ended in state {watch.last_state}")
    elif watch.status == GONE:
        outcome.final_state = None
        outcome.fail(NOT_FOUND_CODE, "the WorkSpace could no longer be found while waiting")
    elif watch.status == TIMED_OUT:
        outcome.fail(WAIT_TIMEOUT_CODE, f"still {watch.last_state} after wait_timeout ({timeout} s)")
