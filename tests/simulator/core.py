"""The simulator's state: backend, timing, faults and call counts, behind one lock.

``Simulator`` is what the HTTP layer and the control API act on. moto's backend
is not thread-safe, so every access to it goes through ``Simulator.lock``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .backend import SimulatedWorkSpacesBackend
from .calls import CallCounter
from .faults import FaultInjector, parse_faults
from .lifecycle import Timing
from .scenario import ScenarioError, parse_scenario


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

    def reset(self) -> None:
        """Forget WorkSpaces, directories, faults and counts; timing back to defaults."""
        with self.lock:
            self.backend = SimulatedWorkSpacesBackend(clock=self.clock)
            self.faults.configure({})
            self.calls.reset()

    def load_scenario(self, data: Any) -> dict[str, Any]:
        """Add what a scenario describes.

        Its timing and faults sections, when present, replace the current ones.
        """
        plan = parse_scenario(data, self.wall_clock())
        if plan.faults is not None:
            try:
                parse_faults(plan.faults)
            except ValueError as exc:
                raise ScenarioError(str(exc)) from exc
        with self.lock:
            self._check_free_ids([seed.workspace_id for seed in plan.workspaces])
            for directory in plan.directories:
                self.backend.add_directory(directory.directory_id, directory.name, directory.alias)
            workspace_ids = [self.backend.add_workspace(seed) for seed in plan.workspaces]
            if plan.timing is not None:
                self.backend.timing = plan.timing
            if plan.faults is not None:
                self.faults.configure(plan.faults)
        return {
            "workspace_ids": workspace_ids,
            "directory_ids": [d.directory_id for d in plan.directories],
        }

    def _check_free_ids(self, workspace_ids: list[str | None]) -> None:
        taken = sorted(ws for ws in workspace_ids if ws and ws in self.backend.workspaces)
        if taken:
            raise ScenarioError(f"WorkSpace ids already exist: {', '.join(taken)}")

    def workspaces(self) -> list[dict[str, Any]]:
        """The true current state of every WorkSpace."""
        with self.lock:
            return self.backend.true_view()

    def set_state(self, workspace_id: str, state: str) -> None:
        """Force one WorkSpace into a state."""
        with self.lock:
            self.backend.set_state(workspace_id, state)

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
