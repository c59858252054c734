"""The simulator's state: backend, timing, faults, schedule and call counts, behind one lock.

``Simulator`` is what the HTTP layer and the control API act on. moto's backend
is not thread-safe, so every access to it goes through ``Simulator.lock``, and
every access first applies the scheduled changes that have come due
(``catch_up``), so a timed change is seen by every read after its time
without a background thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from .backend import SimulatedWorkSpacesBackend
from .calls import CallCounter
from .faults import FaultInjector, parse_faults
from .lifecycle import Timing
from .scenario import ScenarioError, parse_scenario
from .schedule import EventSpec, PendingEvent, Schedule, parse_schedule, unknown_ids

LOG = logging.getLogger(__name__)


class Simulator:
    """One simulated WorkSpaces account, shared by every region and every credential."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.wall_clock = wall_clock
        # Re-entrant: control handlers call helpers that take the lock again.
        self.lock = threading.RLock()
        self.calls = CallCounter()
        self.faults = FaultInjector(clock)
        self.backend = SimulatedWorkSpacesBackend(clock=clock)
        self.schedule = Schedule()

    def reset(self) -> None:
        """Forget WorkSpaces, directories, faults, schedule and counts; timing back to defaults."""
        with self.lock:
            self.backend = SimulatedWorkSpacesBackend(clock=self.clock)
            self.faults.configure({})
            self.schedule.clear()
            self.calls.reset()

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
        if spec.workspace_id not in self.backend.workspaces:
            LOG.info("scheduled change of %s dropped: it no longer exists", spec.workspace_id)
            return
        if spec.state is not None:
            self.backend.settle(spec.workspace_id, at)
            self.backend.set_state(spec.workspace_id, spec.state)
        if spec.connection_state is not None:
            self.backend.set_connection_state(spec.workspace_id, spec.connection_state, wall)

    def set_schedule(self, data: Any) -> list[dict[str, Any]]:
        """Replace every pending event (validated first: a bad list changes nothing)."""
        events = parse_schedule(data)
        with self.lock:
            self.catch_up()
            self._check_schedule_ids(events, set(self.backend.workspaces))
            self.schedule.replace(events, self.clock(), self.wall_clock())
            return self.schedule.to_list(self.clock())

    def pending_events(self) -> list[dict[str, Any]]:
        """The events still to come, in the format ``set_schedule`` reads."""
        with self.lock:
            self.catch_up()
            return self.schedule.to_list(self.clock())

    @staticmethod
    def _check_schedule_ids(events: list[EventSpec], known: set[str]) -> None:
        missing = unknown_ids(events, known)
        if missing:
            raise ScenarioError(f"schedule: no WorkSpace {', '.join(missing)}")

    # --------------------------------------------------------------- scenarios

    def load_scenario(self, data: Any) -> dict[str, Any]:
        """Add what a scenario describes.

        Its timing, faults and schedule sections, when present, replace the current ones;
        the schedule's times count from now.
        """
        plan = parse_scenario(data, self.wall_clock())
        if plan.faults is not None:
            try:
                parse_faults(plan.faults)
            except ValueError as exc:
                raise ScenarioError(str(exc)) from exc
        with self.lock:
            self.catch_up()
            self._check_free_ids([seed.workspace_id for seed in plan.workspaces])
            workspace_ids = self.backend.assign_ids(plan.workspaces)
            if plan.schedule is not None:
                self._check_schedule_ids(
                    plan.schedule, set(self.backend.workspaces) | set(workspace_ids)
                )
            for directory in plan.directories:
                self.backend.add_directory(directory.directory_id, directory.name, directory.alias)
            for seed in plan.workspaces:
                self.backend.add_workspace(seed)
            if plan.timing is not None:
                self.backend.timing = plan.timing
            if plan.faults is not None:
                self.faults.configure(plan.faults)
            if plan.schedule is not None:
                self.schedule.replace(plan.schedule, self.clock(), self.wall_clock())
        return {
            "workspace_ids": workspace_ids,
            "directory_ids": [d.directory_id for d in plan.directories],
        }

    def _check_free_ids(self, workspace_ids: list[str | None]) -> None:
        taken = sorted(ws for ws in workspace_ids if ws and ws in self.backend.workspaces)
        if taken:
            raise ScenarioError(f"WorkSpace ids already exist: {', '.join(taken)}")

    # ------------------------------------------------------------ control reads

    def workspaces(self) -> list[dict[str, Any]]:
        """The true current state of every WorkSpace."""
        with self.lock:
            self.catch_up()
            return self.backend.true_view()

    def set_state(self, workspace_id: str, state: str) -> None:
        """Force one WorkSpace into a state."""
        with self.lock:
            self.catch_up()
            self.backend.set_state(workspace_id, state)

    def set_connection_state(self, workspace_id: str, state: str) -> dict[str, Any]:
        """Set one WorkSpace's connection state now; returns its connection status."""
        with self.lock:
            self.catch_up()
            self.backend.set_connection_state(workspace_id, state, self.wall_clock())
            return self.backend.extras_for(workspace_id).connection.to_api(workspace_id)

    @property
    def timing(self) -> Timing:
        """Current timing settings."""
        with self.lock:
            return self.backend.timing

    def set_timing(
        self,
        speed: float | None = None,
        durations: dict[str, Any] | None = None,
        stale_seconds: float | None = None,
    ) -> Timing:
        """Change some timing settings; running transitions keep their end time."""
        with self.lock:
            self.backend.timing = self.backend.timing.updated(speed, durations, stale_seconds)
            return self.backend.timing
