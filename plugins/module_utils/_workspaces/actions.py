# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""The engine every WorkSpaces action module runs.

select -> plan -> idempotency markers -> guard -> snapshots -> [check mode ends here]
-> submit (fresh state and connection read right before each request) -> wait or verify
-> report.

An action (rebuild, reboot, restore, start, stop) is described by an ActionSpec: the API
call, the states it may start from and the states it moves a WorkSpace through, the
running modes it refuses, the snapshots it restores from, and its safe defaults.
Everything else is shared. Every WorkSpace named or selected ends with
exactly one WorkspaceOutcome, whatever happens to the others, and a request that may have
reached AWS is never reported as "not changed".
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
import typing as t

from .api import AWSEntry
from .api import WorkspacesApi
from .common import CALLER_ERROR_CODES
from .common import DEFAULT_MAX_CONCURRENCY
from .common import InvalidOptionError
from .common import WorkspacesError
from .common import chunks
from .common import describe_batch_size
from .common import error_code
from .common import error_message
from .common import error_name
from .common import max_items
from .concurrency import map_concurrently
from .retry import FINAL
from .retry import Attempts
from .retry import failure_kind
from .selection import Selection
from .selection import Selectors
from .selection import select_workspaces
from .waiter import CONFIRMED
from .waiter import DEAD_END
from .waiter import FAILED
from .waiter import GONE
from .waiter import PENDING
from .waiter import SUCCEEDED
from .waiter import TIMED_OUT
from .waiter import UNCONFIRMED
from .waiter import Transition
from .waiter import Watch
from .waiter import wait_for

# Outcomes shared by every action; each action adds its own "requested" and "done" ones.
IN_PROGRESS = "in_progress"
SKIPPED = "skipped"
FAILED_OUTCOME = "failed"
UNKNOWN = "unknown"

# The module's own error codes, beside the ones AWS returns.
NOT_FOUND_CODE = "WorkspaceNotFound"
INVALID_STATE_CODE = "InvalidWorkspaceState"
# A WorkSpace the action could start from, in a state the task did not name: skipped.
OUT_OF_STATES = "out_of_states"
WAIT_TIMEOUT_CODE = "WaitTimeout"

# A state read older than this is read again right before the request is sent: the plan
# can be minutes old when throttling stretches a run.
FRESH_STATE_SECONDS = 5.0
# How long a request that may have been accepted (its answer lost) is watched for a sign
# that AWS accepted it, when the task does not wait anyway. The real service shows the
# transitional state within seconds of accepting.
CONFIRM_SECONDS = 20.0

# States from which no action can end well any more.
DEAD_END_STATES = frozenset(("TERMINATING", "TERMINATED", "SUSPENDED"))

CONNECTED = "CONNECTED"
# WorkSpaces in this state respond to no action (reboot, stop, start, rebuild, restore).
ADMIN_MAINTENANCE = "ADMIN_MAINTENANCE"
RUNNING_MODES = frozenset(("AUTO_STOP", "ALWAYS_ON", "MANUAL"))


@dataclasses.dataclass(frozen=True)
class ActionSpec:
    """What makes one WorkSpaces action different from another: data, not code."""

    name: str  # "rebuild", as in "rebuild requested"
    past_participle: str  # "rebuilt", as in "cannot be rebuilt" and the outcome after a wait
    operation: str  # the API operation
    # The request list's member in the operation's input, named as its shape in botocore's
    # model (whose max is the batch size); None for an operation on one WorkSpace (WorkspaceId).
    request_key: str | None
    allowed_states: tuple[str, ...]  # the states AWS accepts the action in
    default_states: tuple[str, ...]  # the states acted on unless the task names others
    transition: Transition
    default_max_workspaces: int
    # The DescribeWorkspaceSnapshots list the action restores from; None for an action that
    # keeps the volumes (no require_snapshot option).
    snapshot_key: str | None = None
    # Whether the action interrupts a connected user (the skip_connected option).
    disrupts_user: bool = True
    # The outcome of a WorkSpace already where the action would take it (start: AVAILABLE):
    # nothing to do, and not a failure. None for an action that has no such goal (reboot).
    goal_outcome: str | None = None
    # Running modes AWS refuses the action for (start and stop: ALWAYS_ON).
    refused_running_modes: frozenset[str] = frozenset()
    # Errors the one-WorkSpace operation raises about that WorkSpace: its outcome, as a
    # FailedRequests entry would be, not the end of the run.
    refusal_codes: frozenset[str] = frozenset()

    @property
    def requested_outcome(self) -> str:
        return f"{self.name}_requested"

    @property
    def failed_code(self) -> str:
        """error_code when the WorkSpace ends in a failure state: RebuildFailed, RebootFailed, ..."""
        return f"{self.name.capitalize()}Failed"

    @property
    def snapshot_noun(self) -> str:
        """The snapshots of snapshot_key in words: "rebuild snapshot"."""
        return f"{self.name} snapshot"

    @property
    def batch_size(self) -> int:
        return 1 if self.request_key is None else max_items(self.request_key)

    @property
    def token_tag_key(self) -> str:
        """The tag that marks a WorkSpace as requested by a run with an idempotency_token."""
        return f"euc.workspaces:{self.name}-token"


# States from which an action that should end in AVAILABLE can no longer get there.
_STOPPED_ON_THE_WAY = DEAD_END_STATES | frozenset(("STOPPING", "STOPPED"))
_BROKEN = frozenset(("ERROR", "UNHEALTHY"))

REBUILD = ActionSpec(
    name="rebuild",
    past_participle="rebuilt",
    operation="RebuildWorkspaces",
    request_key="RebuildWorkspaceRequests",
    allowed_states=("AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED", "REBOOTING"),
    # Only the broken ones: rebuilding a healthy desktop is opt-in, and a re-run changes nothing.
    default_states=("ERROR", "UNHEALTHY"),
    transition=Transition("REBUILDING", "AVAILABLE", failure_states=_BROKEN, dead_end_states=_STOPPED_ON_THE_WAY),
    default_max_workspaces=10,
    snapshot_key="RebuildSnapshots",
)

REBOOT = ActionSpec(
    name="reboot",
    past_participle="rebooted",
    operation="RebootWorkspaces",
    request_key="RebootWorkspaceRequests",
    # REBOOTING is also the action's own transitional state: AWS takes it for a reboot stuck
    # there, which the task asks for by naming REBOOTING in states.
    allowed_states=("AVAILABLE", "UNHEALTHY", "REBOOTING"),
    # Rebooting a healthy desktop interrupts its user: opt-in.
    default_states=("UNHEALTHY",),
    transition=Transition("REBOOTING", "AVAILABLE", failure_states=_BROKEN, dead_end_states=_STOPPED_ON_THE_WAY),
    # Nothing is lost but the session, and one call takes 25: a full batch.
    default_max_workspaces=25,
)

RESTORE = ActionSpec(
    name="restore",
    past_participle="restored",
    operation="RestoreWorkspace",
    request_key=None,
    allowed_states=("AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED"),
    # As destructive as a rebuild: both volumes go back to the snapshot.
    default_states=("ERROR", "UNHEALTHY"),
    transition=Transition("RESTORING", "AVAILABLE", failure_states=_BROKEN, dead_end_states=_STOPPED_ON_THE_WAY),
    default_max_workspaces=10,
    snapshot_key="RestoreSnapshots",
    refusal_codes=frozenset(("InvalidResourceStateException", "ResourceNotFoundException", "OperationNotSupportedException")),
)

# AWS starts and stops only the WorkSpaces that bill by the hour or are run by hand.
_ALWAYS_RUNNING = frozenset(("ALWAYS_ON",))

START = ActionSpec(
    name="start",
    past_participle="started",
    operation="StartWorkspaces",
    request_key="StartWorkspaceRequests",
    allowed_states=("STOPPED",),
    default_states=("STOPPED",),
    # Seen STOPPED again after STARTING, the start did not hold: a dead end.
    transition=Transition("STARTING", "AVAILABLE", failure_states=_BROKEN, dead_end_states=_STOPPED_ON_THE_WAY),
    # A stopped desktop has no session to interrupt; starting costs only running hours.
    default_max_workspaces=100,
    disrupts_user=False,
    goal_outcome="already_started",
    refused_running_modes=_ALWAYS_RUNNING,
)

STOP = ActionSpec(
    name="stop",
    past_participle="stopped",
    operation="StopWorkspaces",
    request_key="StopWorkspaceRequests",
    allowed_states=("AVAILABLE", "IMPAIRED", "UNHEALTHY", "ERROR"),
    # Stopping is what the task asks for, healthy or not; skip_connected keeps every
    # connected user's session, which is what a stop would interrupt.
    default_states=("AVAILABLE", "IMPAIRED", "UNHEALTHY", "ERROR"),
    # Seen AVAILABLE again after STOPPING, the stop did not hold: a failure.
    transition=Transition("STOPPING", "STOPPED", failure_states=_BROKEN | {"AVAILABLE"}, dead_end_states=DEAD_END_STATES | {"STARTING"}),
    default_max_workspaces=25,
    goal_outcome="already_stopped",
    refused_running_modes=_ALWAYS_RUNNING,
)

ACTIONS = {spec.name: spec for spec in (REBUILD, REBOOT, RESTORE, START, STOP)}


def action_argument_spec(spec: ActionSpec) -> dict[str, t.Any]:
    """The options an action module adds to the selection options."""
    options: dict[str, t.Any] = dict(
        states=dict(type="list", elements="str", choices=list(spec.allowed_states), default=list(spec.default_states)),
        max_workspaces=dict(type="int", default=spec.default_max_workspaces),
        max_concurrency=dict(type="int", default=DEFAULT_MAX_CONCURRENCY),
        idempotency_token=dict(type="str", no_log=False),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=3600),
        wait_delay=dict(type="int", default=15),
    )
    if spec.disrupts_user:
        options["skip_connected"] = dict(type="bool", default=True)
    if spec.snapshot_key is not None:
        options["require_snapshot"] = dict(type="bool", default=True)
    return options


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
    skip_connected: bool = True
    require_snapshot: bool = True
    idempotency_token: str | None = None

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
            skip_connected=params.get("skip_connected", True),
            require_snapshot=params.get("require_snapshot", True),
            idempotency_token=params.get("idempotency_token"),
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
        token = self.idempotency_token
        if token is not None and not _is_tag_value(token):
            problems.append(
                f"idempotency_token must have 1 to 128 letters, digits, spaces or _.:/=+-@ characters, not {token!r}"
            )
        if problems:
            raise InvalidOptionError("; ".join(problems))


def running_mode_of(workspace: AWSEntry) -> str | None:
    """AUTO_STOP, ALWAYS_ON or MANUAL, as DescribeWorkspaces gives it."""
    return (workspace.get("WorkspaceProperties") or {}).get("RunningMode")


def _is_tag_value(value: str) -> bool:
    """True for a value the WorkSpaces API stores as a tag value, safely printable."""
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.:/=+-@")
    return 1 <= len(value) <= 128 and value.strip() == value and set(value) <= allowed


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
    running_mode: str | None = None
    snapshot_time: str | None = None
    connection_state: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    reason: str | None = None
    # True once the action was accepted for it (or would be, in check mode).
    requested: bool = False
    # The state last read and when (the engine's clock): requests go only on fresh reads.
    current_state: str | None = None
    read_at: float = 0.0
    connection_read_at: float | None = None
    # The state it was in when its request was sent (what the wait compares reads with).
    request_state: str | None = None
    tags: dict[str, str] | None = None
    marker_written: bool = False

    _INTERNAL = ("requested", "current_state", "read_at", "connection_read_at", "request_state", "tags", "marker_written")

    @classmethod
    def of(cls, workspace: AWSEntry, outcome: str, read_at: float = 0.0) -> WorkspaceOutcome:
        return cls(
            workspace_id=workspace["WorkspaceId"],
            outcome=outcome,
            state=workspace.get("State"),
            final_state=workspace.get("State"),
            directory_id=workspace.get("DirectoryId"),
            user_name=workspace.get("UserName"),
            computer_name=workspace.get("ComputerName"),
            bundle_id=workspace.get("BundleId"),
            running_mode=running_mode_of(workspace),
            current_state=workspace.get("State"),
            read_at=read_at,
            tags=workspace.get("Tags"),
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

    def may_have_been_accepted(self, error: BaseException) -> None:
        """Its request may have reached AWS: unknown until a read shows it moved."""
        self.outcome = UNKNOWN
        self.requested = False
        self.error_code = error_name(error)
        self.error_message = error_message(error)
        self.reason = None

    def as_result(self) -> dict[str, t.Any]:
        result = dataclasses.asdict(self)
        for internal in self._INTERNAL:
            del result[internal]
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
        return any(outcome.requested or outcome.outcome == UNKNOWN for outcome in self.outcomes)

    @property
    def failed(self) -> bool:
        return any(outcome.outcome in (FAILED_OUTCOME, UNKNOWN) for outcome in self.outcomes)

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
                if o.outcome in (FAILED_OUTCOME, UNKNOWN)
            ],
        )
        result[self.spec.requested_outcome] = [o.workspace_id for o in self.outcomes if o.requested]
        if with_diff:
            result["diff"] = self._diff()
        return result

    def _diff(self) -> dict[str, dict[str, str | None]]:
        """State before and after of each WorkSpace the action was (or may have been) requested for."""
        requested = [o for o in self.outcomes if o.requested or o.outcome == UNKNOWN]
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


# ---------------------------------------------------------------------- the run


def run_action(api: WorkspacesApi, spec: ActionSpec, options: ActionOptions) -> ActionReport:
    """Select, plan, guard, submit and wait (or verify); the report of every WorkSpace."""
    options.validate()
    if not spec.disrupts_user:
        # Nobody can be connected to what the action starts from (start: STOPPED): no reads.
        options = dataclasses.replace(options, skip_connected=False)
    report = ActionReport(spec, [], options.check_mode)
    try:
        selection = select_workspaces(api, options.selectors, options.max_concurrency)
    except WorkspacesError as error:
        report.outcomes = [_not_reached(wid, "the task stopped before it could read the WorkSpaces")
                           for wid in sorted(options.selectors.workspace_ids or ())]
        raise ActionFailed("Stopped before any change: the WorkSpaces could not be read", report, error) from error
    report.outcomes = plan(spec, options, selection, api.clock.monotonic())
    try:
        if options.idempotency_token is not None:
            skip_marked(api, spec, options, report.outcomes)
        guard(report, options.max_workspaces)
        read_snapshots(api, spec, options, report.outcomes)
        if options.check_mode:
            recheck_all(api, spec, options, _planned(report.outcomes))
            return report
    except WorkspacesError as error:
        for outcome in _planned(report.outcomes):
            outcome.skip(f"not requested: the task stopped before sending any request ({error})")
        raise ActionFailed("Stopped before any change: a read failed", report, error) from error

    stopping_error = submit(api, spec, options, report.outcomes)
    watched = [o for o in report.outcomes if o.requested or o.outcome in (IN_PROGRESS, UNKNOWN)]
    try:
        if options.wait:
            wait(api, spec, watched, options.wait_timeout, options.wait_delay)
        else:
            # Not waiting: only the requests that may have been accepted are watched, until they move.
            wait(api, spec, [o for o in watched if o.outcome == UNKNOWN], CONFIRM_SECONDS, options.wait_delay, until_confirmed=True)
    except WorkspacesError as wait_error:
        if stopping_error is None:
            raise ActionFailed("Stopped while waiting", report, wait_error) from wait_error
    if stopping_error is not None:
        raise ActionFailed(f"Stopped sending {spec.operation} requests", report, stopping_error)
    if api.outage.reason is not None:
        raise ActionFailed(f"Stopped sending {spec.operation} requests: {api.outage.reason}", report)
    return report


def _planned(outcomes: t.Iterable[WorkspaceOutcome]) -> list[WorkspaceOutcome]:
    return [outcome for outcome in outcomes if outcome.requested]


def _not_reached(workspace_id: str, why: str) -> WorkspaceOutcome:
    return WorkspaceOutcome(workspace_id=workspace_id, outcome=SKIPPED, reason=f"not acted on: {why}")


def plan(spec: ActionSpec, options: ActionOptions, selection: Selection, read_at: float) -> list[WorkspaceOutcome]:
    """One outcome per WorkSpace named or selected, before any change."""
    outcomes = [
        WorkspaceOutcome(workspace_id=missing, outcome=FAILED_OUTCOME, error_code=NOT_FOUND_CODE,
                         error_message=f"No WorkSpace {missing!r} was found in this region")
        for missing in selection.missing_ids
    ]
    for workspace, reason in selection.excluded:
        excluded = WorkspaceOutcome.of(workspace, SKIPPED, read_at)
        excluded.reason = f"not selected: {reason}"
        outcomes.append(excluded)
    named = set(options.selectors.workspace_ids or ())
    for workspace in selection.matched:
        outcome = WorkspaceOutcome.of(workspace, spec.requested_outcome, read_at)
        _plan_one(spec, options.states, outcome, workspace["WorkspaceId"] in named)
        outcomes.append(outcome)
    return sorted(outcomes, key=lambda outcome: outcome.workspace_id)


def _plan_one(spec: ActionSpec, states: frozenset[str], outcome: WorkspaceOutcome, named: bool) -> None:
    found = standing(spec, states, outcome.state, outcome.running_mode)
    if found is None:
        outcome.requested = True
        return
    kind, why = found
    if kind == INVALID_STATE_CODE and named:
        # Named explicitly: the operator expected it to be acted on, so say so loudly.
        outcome.fail(INVALID_STATE_CODE, why)
    elif kind in (SKIPPED, OUT_OF_STATES, INVALID_STATE_CODE):
        outcome.skip(why)
    else:
        outcome.outcome = kind  # in progress, or already where the action would take it


def standing(spec: ActionSpec, states: t.AbstractSet[str], state: str | None, running_mode: str | None) -> tuple[str, str] | None:
    """None when the action may be requested for a WorkSpace in this state and running mode;
    else what it becomes (SKIPPED, OUT_OF_STATES, IN_PROGRESS, the action's goal outcome or
    INVALID_STATE_CODE) and why."""
    if state == ADMIN_MAINTENANCE:
        return SKIPPED, (f"it is in {ADMIN_MAINTENANCE}: a WorkSpace in maintenance mode does not respond to a "
                         f"{spec.name} until an administrator ends the maintenance")
    if spec.goal_outcome is not None and state == spec.transition.target_state:
        return spec.goal_outcome, f"it is already {state}"
    if state == spec.transition.transitional_state and state not in states:
        return IN_PROGRESS, f"it is already {state}"
    if running_mode in spec.refused_running_modes:
        return SKIPPED, (f"its running mode is {running_mode}: AWS can only {spec.name} a WorkSpace whose running mode "
                         f"is {' or '.join(sorted(RUNNING_MODES - spec.refused_running_modes))}")
    if state in spec.allowed_states and state in states:
        return None
    if state in spec.allowed_states:
        return OUT_OF_STATES, f"state {state} is not in states ({', '.join(sorted(states))})"
    return INVALID_STATE_CODE, f"a WorkSpace in state {state} cannot be {spec.past_participle} (only {', '.join(spec.allowed_states)})"


def skip_marked(api: WorkspacesApi, spec: ActionSpec, options: ActionOptions, outcomes: t.Sequence[WorkspaceOutcome]) -> None:
    """Skip the WorkSpaces an earlier run with the same idempotency_token requested the action for."""
    planned = _planned(outcomes)
    unread = [o for o in planned if o.tags is None]
    for outcome, tags in zip(unread, map_concurrently(lambda o: api.describe_tags(o.workspace_id), unread, options.max_concurrency)):
        outcome.tags = tags
    for outcome in planned:
        if (outcome.tags or {}).get(spec.token_tag_key) == options.idempotency_token:
            outcome.skip(
                f"not requested: an earlier run with idempotency_token {options.idempotency_token!r} already requested "
                f"its {spec.name} (or stopped right before the request); tag {spec.token_tag_key!r}"
            )


def guard(report: ActionReport, max_workspaces: int) -> None:
    """Refuse, before any change, to act on more WorkSpaces than the operator allowed."""
    planned = _planned(report.outcomes)
    if len(planned) <= max_workspaces:
        return
    for outcome in planned:
        outcome.skip(f"not requested: {len(planned)} WorkSpaces matched, more than max_workspaces ({max_workspaces})")
    raise ActionFailed(
        f"{len(planned)} WorkSpaces would be {report.spec.past_participle}, more than max_workspaces "
        f"({max_workspaces}); nothing was changed: narrow the selection or raise max_workspaces",
        report,
    )


def read_snapshots(api: WorkspacesApi, spec: ActionSpec, options: ActionOptions, outcomes: t.Sequence[WorkspaceOutcome]) -> None:
    """snapshot_time of every planned WorkSpace; without one, it is skipped when require_snapshot."""
    if spec.snapshot_key is None:
        return  # the action keeps the volumes: no snapshot to read
    planned = _planned(outcomes)
    found = map_concurrently(lambda o: api.describe_workspace_snapshots(o.workspace_id), planned, options.max_concurrency)
    for outcome, snapshots in zip(planned, found):
        times = [s["SnapshotTime"] for s in snapshots.get(spec.snapshot_key, []) if s.get("SnapshotTime")]
        latest = max(times) if times else None
        outcome.snapshot_time = latest.isoformat() if isinstance(latest, datetime.datetime) else latest
        if latest is None and options.require_snapshot:
            outcome.skip(
                f"not requested: it has no {spec.snapshot_noun}, so its user volume cannot be restored "
                "(require_snapshot: false acts on it anyway)"
            )


# ---------------------------------------------------------------------- fresh state


def recheck_all(api: WorkspacesApi, spec: ActionSpec, options: ActionOptions, outcomes: t.Sequence[WorkspaceOutcome]) -> None:
    """Read stale states and connections of many WorkSpaces, 25 a call (the calls at once),
    and drop the ineligible."""
    refresh(api, options, outcomes, force=False)
    for outcome in outcomes:
        recheck(spec, options, outcome)


def refresh(
    api: WorkspacesApi,
    options: ActionOptions,
    outcomes: t.Sequence[WorkspaceOutcome],
    force: bool,
    also: t.Sequence[WorkspaceOutcome] = (),
    read_ahead: int = 0,
) -> None:
    """Read again the states (and, with skip_connected, the connections) older than FRESH_STATE_SECONDS.

    also: other WorkSpaces about to be requested, in the order they will be; the stale ones
    among them fill the same calls (25 ids each), up to read_ahead WorkSpaces in all, so
    that a fleet costs one read per 25 requests, not one per request, and the threads do
    not wait on one small read after another.
    """
    now = api.clock.monotonic()
    stale = [o for o in outcomes if force or now - o.read_at > FRESH_STATE_SECONDS]
    if stale:
        stale += [o for o in also if now - o.read_at > FRESH_STATE_SECONDS][: _room(len(stale), read_ahead)]
    if stale:
        entries = api.read_states([o.workspace_id for o in stale])
        read_at = api.clock.monotonic()
        for outcome in stale:
            entry = entries.get(outcome.workspace_id)
            outcome.current_state = None if entry is None else entry.get("State")
            outcome.final_state = outcome.current_state
            if entry is not None:
                outcome.running_mode = running_mode_of(entry)
            outcome.read_at = read_at
    if not options.skip_connected:
        return

    def unchecked_in(group: t.Iterable[WorkspaceOutcome]) -> list[WorkspaceOutcome]:
        return [o for o in group if o.connection_read_at is None or now - o.connection_read_at > FRESH_STATE_SECONDS]

    unchecked = list(outcomes) if force else unchecked_in(outcomes)
    if unchecked:
        unchecked += unchecked_in(also)[: _room(len(unchecked), read_ahead)]
        statuses = {s["WorkspaceId"]: s for s in api.describe_connection_status([o.workspace_id for o in unchecked])}
        read_at = api.clock.monotonic()
        for outcome in unchecked:
            outcome.connection_state = statuses.get(outcome.workspace_id, {}).get("ConnectionState")
            outcome.connection_read_at = read_at


def _room(needed: int, read_ahead: int) -> int:
    """How many other WorkSpaces a read of needed ones takes along: up to read_ahead in all,
    and whatever fills its last batch of 25."""
    batch = describe_batch_size()
    total = max(needed, read_ahead)
    return total - needed + -total % batch


def recheck(spec: ActionSpec, options: ActionOptions, outcome: WorkspaceOutcome) -> bool:
    """Whether the request may (still) be sent for it, on its freshest read; else record why not."""
    found = why_not(spec, options, outcome)
    if found is None:
        return True
    outcome.requested = False
    kind, why = found
    if kind == NOT_FOUND_CODE:
        outcome.fail(NOT_FOUND_CODE, why)
    elif kind == SKIPPED:
        outcome.skip(why)
    else:
        outcome.outcome = kind  # in progress, or already where the action would take it
        outcome.reason = why
    return False


def why_not(spec: ActionSpec, options: ActionOptions, outcome: WorkspaceOutcome) -> tuple[str, str] | None:
    """(what it becomes, why) when its freshest read rules the request out; None when it may be sent."""
    state = outcome.current_state
    if state is None:
        return NOT_FOUND_CODE, "the WorkSpace could no longer be found right before the request"
    if state == spec.transition.transitional_state != outcome.state:
        # Moved there since it was selected: someone else's action is under way. Only a
        # WorkSpace selected in it (a reboot stuck in REBOOTING) may be asked again.
        return IN_PROGRESS, f"not requested: it was already {state} when read again right before the request"
    found = standing(spec, options.states, state, outcome.running_mode)
    if found is not None:
        kind, why = found
        if kind in (INVALID_STATE_CODE, OUT_OF_STATES):
            return SKIPPED, (f"not requested: read again right before the request, it was {state} "
                             f"(it was {outcome.state} when selected), not one of states ({', '.join(sorted(options.states))})")
        if kind == SKIPPED:
            return kind, f"not requested: {why} (read again right before the request)"
        return kind, f"not requested: it was already {state} when read again right before the request"
    if options.skip_connected and outcome.connection_state == CONNECTED:
        return SKIPPED, ("not requested: its user is connected (ConnectionState CONNECTED right before the request); "
                         "skip_connected: false acts on it anyway")
    return None


# ---------------------------------------------------------------------- submit


def submit(api: WorkspacesApi, spec: ActionSpec, options: ActionOptions, outcomes: t.Sequence[WorkspaceOutcome]) -> WorkspacesError | None:
    """Send the planned requests, up to max_concurrency calls at once, each WorkSpace at most once.

    Returns the error that stopped the run (a caller error, or the outage bound), if any:
    the requests not yet sent are then not sent, and their WorkSpaces say so.
    """
    sender = _Sender(api, spec, options)
    planned = _planned(outcomes)
    sender.queue(planned)
    map_concurrently(sender.send, list(chunks(planned, spec.batch_size)), options.max_concurrency)
    return sender.stopping_error


class _Sender:
    """Sends one batch of requests at a time, with a fresh read before every attempt."""

    def __init__(self, api: WorkspacesApi, spec: ActionSpec, options: ActionOptions) -> None:
        self.api = api
        self.spec = spec
        self.options = options
        self._lock = threading.Lock()
        # Fresh reads are made one batch at a time, for the sender that needs one and for
        # the WorkSpaces still queued (their sender has not started): see refresh().
        self._refresh_lock = threading.Lock()
        self._queued: dict[str, WorkspaceOutcome] = {}
        self.stopping_error: WorkspacesError | None = None
        self._started = api.clock.monotonic()
        self._sent = 0

    def queue(self, outcomes: t.Iterable[WorkspaceOutcome]) -> None:
        self._queued.update((o.workspace_id, o) for o in outcomes)

    def _read_ahead(self) -> int:
        """How many WorkSpaces a fresh read covers: as many as the task sends within
        FRESH_STATE_SECONDS at its pace so far (read further, they would be stale by the time
        they are sent, and read again), between one batch of 25 and a batch per thread (all
        read at once); a batch per thread before the first request has gone."""
        batch = describe_batch_size()
        most = batch * self.options.max_concurrency
        elapsed = self.api.clock.monotonic() - self._started
        if self._sent == 0 or elapsed <= 0:
            return most
        return max(batch, min(most, int(self._sent / elapsed * FRESH_STATE_SECONDS)))

    def _stop(self, error: WorkspacesError) -> None:
        with self._lock:
            if self.stopping_error is None:
                self.stopping_error = error

    def _stopped(self, pending: t.Sequence[WorkspaceOutcome], attempts: Attempts) -> bool:
        """Whether the run has stopped sending; if so the pending WorkSpaces are given up, saying why."""
        stop_reason = self._stop_reason()
        if stop_reason is None:
            return False
        self._give_up(pending, attempts, stop_reason)
        return True

    def _stop_reason(self) -> str | None:
        if self.stopping_error is not None:
            return f"not requested: the task stopped after an error on another call ({self.stopping_error})"
        if self.api.outage.reason is not None:
            return f"not requested: the task stopped sending requests: {self.api.outage.reason}"
        return None

    def send(self, batch: t.Sequence[WorkspaceOutcome]) -> None:
        with self._refresh_lock:
            for outcome in batch:
                self._queued.pop(outcome.workspace_id, None)
        attempts = Attempts(self.spec.operation, self.api.clock)
        pending = list(batch)
        try:
            while pending:
                pending = self._attempt(pending, attempts)
        finally:
            self._remove_markers([o for o in batch if o.marker_written and not o.requested and o.outcome != UNKNOWN])

    def _attempt(self, pending: list[WorkspaceOutcome], attempts: Attempts) -> list[WorkspaceOutcome]:
        """One attempt for the pending WorkSpaces; returns those to try again."""
        if self._stopped(pending, attempts):
            return []
        ticket = self.api.wait_for_slot(self.spec.operation)
        if self._stopped(pending, attempts):  # another thread may have stopped the run during the wait
            return []
        try:
            with self._refresh_lock:
                refresh(self.api, self.options, pending, force=attempts.ambiguous, also=list(self._queued.values()),
                        read_ahead=self._read_ahead())
        except WorkspacesError as error:
            self._caller_error_stops(error)
            self._give_up(pending, attempts, f"not requested: its state could not be read right before the request ({error})")
            return []
        sendable = []
        for outcome in pending:
            if attempts.ambiguous:
                # An earlier attempt may have been accepted: never skip it now. Sent again only
                # when it has not moved and is still eligible (AWS refuses a second one if the
                # first was taken); otherwise it is accepted or unknown, and watched.
                transitional = self.spec.transition.transitional_state
                if outcome.current_state == transitional and outcome.request_state != transitional:
                    self._accepted_despite(outcome, attempts)
                elif outcome.current_state == outcome.request_state and why_not(self.spec, self.options, outcome) is None:
                    sendable.append(outcome)
                else:
                    outcome.may_have_been_accepted(attempts.error)
            elif recheck(self.spec, self.options, outcome):
                outcome.request_state = outcome.current_state
                sendable.append(outcome)
        if not sendable:
            return []
        if self.options.idempotency_token is not None:
            try:
                self._write_markers(sendable)
            except WorkspacesError as error:
                self._caller_error_stops(error)
                self._give_up(sendable, attempts, f"not requested: its idempotency marker tag could not be written ({error})")
                return []
        try:
            failed_requests = self.api.request_action(
                self.spec.operation, self.spec.request_key, [o.workspace_id for o in sendable], self.spec.refusal_codes, ticket
            )
        except Exception as error:  # pylint: disable=broad-except
            return self._attempt_failed(sendable, attempts, error)
        self.api.outage.record_success(self.spec.operation)
        with self._lock:
            self._sent += len(sendable)
        self._apply_answer(sendable, failed_requests, attempts)
        return []

    def _attempt_failed(self, sendable: list[WorkspaceOutcome], attempts: Attempts, error: BaseException) -> list[WorkspaceOutcome]:
        kind = failure_kind(error)
        if kind == FINAL:
            self._caller_error_stops(WorkspacesError(message=f"Failed to call {self.spec.operation}", exception=error))
            for outcome in sendable:
                self._refused(outcome, attempts, error_name(error), error_message(error))
            return []
        attempts.failed(error, kind)
        self.api.outage.record_failure(self.spec.operation, kind, error)
        outage = self.api.outage.reason
        if outage is not None:
            self._give_up(sendable, attempts, f"not requested: the task stopped sending requests: {outage}")
            return []
        if attempts.exhausted:
            for outcome in sendable:
                if attempts.ambiguous:
                    outcome.may_have_been_accepted(error)
                else:
                    outcome.requested = False
                    outcome.fail(error_name(error), f"{error_message(error)} ({self.spec.operation} {attempts.describe()})")
            return []
        attempts.back_off(kind, paced=True)  # request_action waits for the operation's pace
        return sendable

    def _apply_answer(self, sendable: t.Sequence[WorkspaceOutcome], failed_requests: t.Sequence[AWSEntry], attempts: Attempts) -> None:
        """Accepted unless AWS listed it in FailedRequests, with its code and message verbatim."""
        by_id = {entry.get("WorkspaceId"): entry for entry in failed_requests}
        for outcome in sendable:
            entry = by_id.get(outcome.workspace_id)
            if entry is None and len(sendable) == 1 and failed_requests:
                entry = failed_requests[0]  # a one-request call: its failure is this WorkSpace's
            if entry is None:
                outcome.requested = True
                outcome.outcome = self.spec.requested_outcome
                if attempts.ambiguous and attempts.last_error is not None:
                    earlier = error_name(attempts.last_error)
                    outcome.reason = f"accepted {attempts.describe()} ({earlier} before, and the WorkSpace unchanged when read again)"
            else:
                self._refused(outcome, attempts, entry.get("ErrorCode"), entry.get("ErrorMessage", ""))

    def _refused(self, outcome: WorkspaceOutcome, attempts: Attempts, code: str | None, message: str) -> None:
        """AWS refused it. After an attempt that may have been accepted, the refusal may be our own
        first request's doing (the WorkSpace is already in the transitional state): watch it."""
        if attempts.ambiguous:
            outcome.may_have_been_accepted(attempts.error)
            outcome.error_message = f"{outcome.error_message}; a retry was then refused with {code}: {message}"
            return
        outcome.requested = False
        outcome.fail(code, message)

    def _accepted_despite(self, outcome: WorkspaceOutcome, attempts: Attempts) -> None:
        """Read again after an attempt that may have been accepted, it is in the transitional state: AWS took it."""
        error = attempts.error
        outcome.requested = True
        outcome.outcome = self.spec.requested_outcome
        outcome.reason = (f"its {self.spec.operation} call reported {error_name(error)} "
                          f"({error_message(error)}), but it was seen {outcome.current_state} after: taken as accepted")

    def _give_up(self, pending: t.Sequence[WorkspaceOutcome], attempts: Attempts, reason: str) -> None:
        for outcome in pending:
            if attempts.ambiguous:
                outcome.may_have_been_accepted(attempts.error)
            else:
                outcome.skip(reason)  # never accepted: every attempt was refused before processing

    def _caller_error_stops(self, error: WorkspacesError) -> None:
        """Credentials or permissions refused: every other request would be refused too."""
        if error.exception is not None and error_code(error.exception) in CALLER_ERROR_CODES:
            self._stop(error)

    def _write_markers(self, outcomes: t.Sequence[WorkspaceOutcome]) -> None:
        """Tag each WorkSpace with the token before its request: a run that dies after the
        request then cannot lead a relaunch to a second one."""
        token = t.cast(str, self.options.idempotency_token)
        for outcome in outcomes:
            if not outcome.marker_written:
                self.api.create_tags(outcome.workspace_id, {self.spec.token_tag_key: token})
                outcome.marker_written = True

    def _remove_markers(self, outcomes: t.Sequence[WorkspaceOutcome]) -> None:
        """A request AWS did not take leaves no marker that would block a retry."""
        for outcome in outcomes:
            try:
                self.api.delete_tags(outcome.workspace_id, [self.spec.token_tag_key])
            except WorkspacesError as error:
                note = f"its tag {self.spec.token_tag_key!r} could not be removed ({error}): re-run with another idempotency_token"
                if outcome.outcome == SKIPPED:
                    outcome.reason = f"{outcome.reason}; {note}"
                else:
                    outcome.error_message = f"{outcome.error_message}; {note}"
            else:
                outcome.marker_written = False


# ---------------------------------------------------------------------- wait


def wait(
    api: WorkspacesApi,
    spec: ActionSpec,
    outcomes: t.Sequence[WorkspaceOutcome],
    timeout: float,
    wait_delay: float,
    until_confirmed: bool = False,
) -> None:
    """Watch the WorkSpaces until each has ended (or, unconfirmed, shown no sign of acceptance)."""
    if not outcomes:
        return
    now = api.clock.monotonic()
    watches = {
        o.workspace_id: Watch(
            workspace_id=o.workspace_id,
            # Unknown: only a move from what it was last read in confirms the request.
            start_state=o.current_state if o.outcome in (IN_PROGRESS, UNKNOWN) else o.request_state,
            confirmed=o.outcome != UNKNOWN,
            confirm_by=now + min(CONFIRM_SECONDS, timeout) if o.outcome == UNKNOWN else None,
            # Already seen in the transitional state after its request (read again after an error).
            moved=o.requested and o.current_state == spec.transition.transitional_state,
        )
        for o in outcomes
    }
    by_id = {o.workspace_id: o for o in outcomes}
    try:
        wait_for(list(watches.values()), spec.transition, api.read_states, timeout, wait_delay, api.clock, until_confirmed)
    finally:
        for workspace_id, watch in watches.items():
            _record_end(spec, by_id[workspace_id], watch, timeout)


def _record_end(spec: ActionSpec, outcome: WorkspaceOutcome, watch: Watch, timeout: float) -> None:
    if watch.last_state is not None:
        outcome.final_state = watch.last_state
    if outcome.outcome == UNKNOWN:
        if not watch.confirmed:
            if watch.status != PENDING:
                outcome.error_message = (
                    f"the {spec.operation} request may have been accepted ({outcome.error_message}), but the WorkSpace "
                    f"did not move from {watch.start_state} within {min(CONFIRM_SECONDS, timeout):.0f} s: check it before running again"
                )
            return
        outcome.reason = (f"its {spec.operation} call reported {outcome.error_code} ({outcome.error_message}), "
                          f"but it was seen {watch.confirming_state} after: taken as accepted")
        outcome.outcome = spec.requested_outcome
        outcome.requested = True
        outcome.error_code = outcome.error_message = None
    entry = watch.last_entry or {}
    if watch.status == SUCCEEDED:
        outcome.outcome = spec.past_participle
    elif watch.status == FAILED:
        aws_reason = ": ".join(str(entry[key]) for key in ("ErrorCode", "ErrorMessage") if entry.get(key))
        outcome.fail(spec.failed_code, f"the WorkSpace ended in state {watch.last_state}" + (f" ({aws_reason})" if aws_reason else ""))
    elif watch.status == DEAD_END:
        outcome.fail(spec.failed_code, f"the WorkSpace became {watch.last_state} while waiting: the {spec.name} can no longer "
                                       f"end in {spec.transition.target_state}")
    elif watch.status == GONE:
        outcome.final_state = None
        outcome.fail(NOT_FOUND_CODE, "the WorkSpace could no longer be found while waiting")
    elif watch.status == TIMED_OUT:
        outcome.fail(WAIT_TIMEOUT_CODE, f"still {watch.last_state} after wait_timeout ({timeout:.0f} s)")
    elif watch.status in (CONFIRMED, UNCONFIRMED, PENDING):
        pass  # accepted and not waited on, or handled above, or the wait stopped on an error
