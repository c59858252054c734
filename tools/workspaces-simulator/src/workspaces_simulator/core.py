"""The simulator's state: a backend per account and region, the credentials that reach each
account, timing, faults, schedule and call counts, behind one lock.

``Simulator`` is what the HTTP layer and the control API act on. moto's backend
is not thread-safe, so every access to it goes through ``Simulator.lock``, and
every access first applies the scheduled changes that have come due
(``catch_up``), so a timed change is seen by every read after its time
without a background thread.

Each region of each account has a backend of its own (its WorkSpaces, directories,
tags, snapshots and connection status), made the first time it is named; the
backends share a ``SharedState``: the timing settings and the index of WorkSpace
ids, which are unique across regions and accounts as on AWS. Faults, the schedule
and the call counts are simulator-wide too. Which account a request reaches is the
``Credentials``' answer for its access key (see ``accounts``): the one default
account for any key, until a scenario declares accounts.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Container
from typing import Any

from .accounts import ACCOUNT_ID_PATTERN, Credentials
from .backend import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, SharedState, SimulatedWorkSpacesBackend
from .calls import CallCounter
from .faults import FaultInjector, parse_faults
from .lifecycle import Timing
from .scenario import ScenarioError, check_region, parse_scenario
from .schedule import EventSpec, PendingEvent, Schedule, parse_schedule, unknown_ids

LOG = logging.getLogger(__name__)


class Simulator:
    """Simulated WorkSpaces accounts, each with a fleet per region: one default account
    reached with any credentials, or the accounts a scenario declares, each reached with
    its own access keys (and with the temporary credentials AssumeRole gives for it).

    ``region`` is the default region: the one of requests that name none, and of
    scenarios that name none.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        region: str = DEFAULT_REGION,
    ) -> None:
        self.default_region = check_region(region, "the default region")
        self.clock = clock
        self.wall_clock = wall_clock
        # Re-entrant: control handlers call helpers that take the lock again.
        self.lock = threading.RLock()
        self.calls = CallCounter()
        self.faults = FaultInjector(clock)
        self.shared = SharedState()
        self.backends: dict[tuple[str, str], SimulatedWorkSpacesBackend] = {}
        self.credentials = Credentials()
        self.schedule = Schedule()

    def reset(self) -> None:
        """Forget every account and region, faults, schedule and counts; timing back to
        defaults."""
        with self.lock:
            self.shared = SharedState()
            self.backends = {}
            self.credentials = Credentials()
            self.faults.configure({})
            self.schedule.clear()
            self.calls.reset()

    # ------------------------------------------------------------------- regions

    def backend_for(
        self, region: str, account_id: str = DEFAULT_ACCOUNT_ID
    ) -> SimulatedWorkSpacesBackend:
        """The backend of ``region`` of ``account_id``, empty the first time it is named."""
        with self.lock:
            backend = self.backends.get((account_id, region))
            if backend is None:
                backend = SimulatedWorkSpacesBackend(
                    region_name=region, account_id=account_id, clock=self.clock, shared=self.shared
                )
                self.backends[(account_id, region)] = backend
            return backend

    @property
    def accounts_declared(self) -> bool:
        """True once a scenario declared accounts (since the last reset): then only their keys
        are accepted, and the control API's answers name each WorkSpace's and call's account."""
        with self.lock:
            return self.credentials.declared

    def account_for(self, access_key: str | None, session_token: str | None) -> str:
        """The account a request signed with these credentials reaches; ``CredentialError``
        when they reach none."""
        with self.lock:
            return self.credentials.account_of(access_key, session_token, self.wall_clock())

    @property
    def backend(self) -> SimulatedWorkSpacesBackend:
        """The default region's backend."""
        return self.backend_for(self.default_region)

    def _backend_holding(self, workspace_id: str) -> SimulatedWorkSpacesBackend:
        """The backend of the account and region that hold the WorkSpace (found in the shared
        index); for an unknown id the default region's, which answers that it does not exist."""
        return self.backend_for(
            self.shared.region_of.get(workspace_id, self.default_region),
            self.shared.account_of.get(workspace_id, DEFAULT_ACCOUNT_ID),
        )

    # ------------------------------------------------------------------ schedule

    def catch_up(self) -> None:
        """Apply every timed change that is due, each as of its own due time."""
        with self.lock:
            for event in self.schedule.due(self.clock()):
                assert event.due_at is not None and event.due_wall is not None
                self._apply(event, event.due_at, event.due_wall)

    def call_carried_out(self, operation: str, workspace_ids: list[str]) -> None:
        """Count a call that passed fault injection and reached the backend; apply the changes
        it completes now, before the lock is released and another call is served."""
        with self.lock:
            for event in self.schedule.after_call(operation, workspace_ids):
                self._apply(event, self.clock(), self.wall_clock())

    def _apply(self, event: PendingEvent, at: float, wall: float) -> None:
        spec = event.spec
        if spec.workspace_id not in self.shared.region_of:
            LOG.info("scheduled change of %s dropped: it no longer exists", spec.workspace_id)
            return
        backend = self._backend_holding(spec.workspace_id)
        if spec.state is not None:
            backend.settle(spec.workspace_id, at)
            backend.set_state(spec.workspace_id, spec.state)
        if spec.connection_state is not None:
            backend.set_connection_state(spec.workspace_id, spec.connection_state, wall)

    def set_schedule(self, data: Any) -> list[dict[str, Any]]:
        """Replace every pending event (validated first: a bad list changes nothing)."""
        events = parse_schedule(data)
        with self.lock:
            self.catch_up()
            self._check_schedule_ids(events, self.shared.region_of.keys())
            self.schedule.replace(events, self.clock(), self.wall_clock())
            return self.schedule.to_list(self.clock())

    def pending_events(self) -> list[dict[str, Any]]:
        """The events still to come, in the format ``set_schedule`` reads."""
        with self.lock:
            self.catch_up()
            return self.schedule.to_list(self.clock())

    @staticmethod
    def _check_schedule_ids(events: list[EventSpec], known: Container[str]) -> None:
        missing = unknown_ids(events, known)
        if missing:
            raise ScenarioError(f"schedule: no WorkSpace {', '.join(missing)}")

    # --------------------------------------------------------------- scenarios

    def load_scenario(self, data: Any) -> dict[str, Any]:
        """Add what a scenario describes, each directory and its WorkSpaces to their region.

        Its timing, faults and schedule sections, when present, replace the current ones;
        the schedule's times count from now.
        """
        plan = parse_scenario(data, self.wall_clock(), self.default_region)
        if plan.faults is not None:
            try:
                parse_faults(plan.faults)
            except ValueError as exc:
                raise ScenarioError(str(exc)) from exc
        with self.lock:
            self.catch_up()
            self._check_free_ids([seed.workspace_id for seed in plan.workspaces])
            conflicts = self.credentials.conflicts(plan.accounts)
            if conflicts:
                raise ScenarioError("accounts: " + "; ".join(conflicts))
            # Ids are unique across regions: any region's backend allocates them.
            workspace_ids = self.backend.assign_ids(plan.workspaces)
            if plan.schedule is not None:
                self._check_schedule_ids(
                    plan.schedule, set(self.shared.region_of) | set(workspace_ids)
                )
            for account in plan.accounts:
                self.credentials.declare(account)
            for directory in plan.directories:
                self.backend_for(directory.region, directory.account_id).add_directory(
                    directory.directory_id, directory.name, directory.alias
                )
            for seed in plan.workspaces:
                self.backend_for(seed.region, seed.account_id).add_workspace(seed)
            if plan.timing is not None:
                self.shared.timing = plan.timing
            if plan.faults is not None:
                self.faults.configure(plan.faults)
            if plan.schedule is not None:
                self.schedule.replace(plan.schedule, self.clock(), self.wall_clock())
            answer: dict[str, Any] = {
                "workspace_ids": workspace_ids,
                "directory_ids": [d.directory_id for d in plan.directories],
                "regions": {str(seed.workspace_id): seed.region for seed in plan.workspaces},
            }
            if self.credentials.declared:
                answer["accounts"] = {
                    str(seed.workspace_id): seed.account_id for seed in plan.workspaces
                }
        return answer

    def _check_free_ids(self, workspace_ids: list[str | None]) -> None:
        taken = sorted(ws for ws in workspace_ids if ws and ws in self.shared.region_of)
        if taken:
            raise ScenarioError(f"WorkSpace ids already exist: {', '.join(taken)}")

    # ------------------------------------------------------------ control reads

    def workspaces(
        self, region: str | None = None, account: str | None = None
    ) -> list[dict[str, Any]]:
        """The true current state of every WorkSpace (of ``region`` and ``account`` only, when
        given): the accounts and regions in the order their first WorkSpace was placed, each
        in creation order. With declared accounts each WorkSpace names its ``Account``."""
        if region is not None:
            check_region(region)
        if account is not None and not ACCOUNT_ID_PATTERN.fullmatch(account):
            raise ScenarioError(f"account {account!r} is not an AWS account id (12 digits)")
        with self.lock:
            self.catch_up()
            view = []
            for account_id, region_name in self.shared.places:
                if region not in (None, region_name) or account not in (None, account_id):
                    continue
                backend = self.backends.get((account_id, region_name))
                if backend is None:
                    continue
                for item in backend.true_view():
                    if self.credentials.declared:
                        item["Account"] = account_id
                    view.append(item)
            return view

    def set_state(self, workspace_id: str, state: str) -> None:
        """Force one WorkSpace, in whichever region holds it, into a state."""
        with self.lock:
            self.catch_up()
            self._backend_holding(workspace_id).set_state(workspace_id, state)

    def set_connection_state(self, workspace_id: str, state: str) -> dict[str, Any]:
        """Set one WorkSpace's connection state now; returns its connection status."""
        with self.lock:
            self.catch_up()
            backend = self._backend_holding(workspace_id)
            backend.set_connection_state(workspace_id, state, self.wall_clock())
            return backend.extras_for(workspace_id).connection.to_api(workspace_id)

    @property
    def timing(self) -> Timing:
        """Current timing settings (every region's)."""
        with self.lock:
            return self.shared.timing

    def set_timing(
        self,
        speed: float | None = None,
        durations: dict[str, Any] | None = None,
        stale_seconds: float | None = None,
    ) -> Timing:
        """Change some timing settings; running transitions keep their end time."""
        with self.lock:
            self.shared.timing = self.shared.timing.updated(speed, durations, stale_seconds)
            return self.shared.timing
