"""WorkSpace lifecycle rules: which actions exist, when they are allowed, how long they take.

Everything here is plain data and pure functions so the backend can compute a
WorkSpace's state lazily from timestamps instead of running background threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import botocore.session

_MODEL = botocore.session.get_session().get_service_model("workspaces")

#: Every state the botocore model knows (``WorkspaceState`` enum).
WORKSPACE_STATES: frozenset[str] = frozenset(_MODEL.shape_for("WorkspaceState").enum)

CONNECTION_STATES: frozenset[str] = frozenset(_MODEL.shape_for("ConnectionState").enum)
CONNECTED = "CONNECTED"

RUNNING_MODES: frozenset[str] = frozenset(_MODEL.shape_for("RunningMode").enum)


@dataclass(frozen=True)
class Action:
    """One asynchronous WorkSpaces action and the states it moves through."""

    name: str
    operation: str
    allowed_states: frozenset[str]
    transitional_state: str
    target_state: str
    #: Verb used in error messages ("cannot be rebuilt ...").
    participle: str


# Allowed starting states are the ones the botocore model documents for each operation.
ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "rebuild",
            "RebuildWorkspaces",
            frozenset({"AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED", "REBOOTING"}),
            "REBUILDING",
            "AVAILABLE",
            "rebuilt",
        ),
        Action(
            "reboot",
            "RebootWorkspaces",
            frozenset({"AVAILABLE", "UNHEALTHY", "REBOOTING"}),
            "REBOOTING",
            "AVAILABLE",
            "rebooted",
        ),
        Action(
            "restore",
            "RestoreWorkspace",
            frozenset({"AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED"}),
            "RESTORING",
            "AVAILABLE",
            "restored",
        ),
        Action(
            "start",
            "StartWorkspaces",
            frozenset({"STOPPED"}),
            "STARTING",
            "AVAILABLE",
            "started",
        ),
        Action(
            "stop",
            "StopWorkspaces",
            frozenset({"AVAILABLE", "IMPAIRED", "UNHEALTHY", "ERROR"}),
            "STOPPING",
            "STOPPED",
            "stopped",
        ),
    )
}

ACTION_BY_OPERATION: dict[str, Action] = {a.operation: a for a in ACTIONS.values()}

#: Actions the service refuses for an ALWAYS_ON WorkSpace: the model documents that
#: only AUTO_STOP and MANUAL WorkSpaces can be started or stopped.
RUNNING_MODE_ACTIONS: frozenset[str] = frozenset({"start", "stop"})
ALWAYS_ON = "ALWAYS_ON"

#: Simulated seconds a WorkSpace must have been REBOOTING before RebootWorkspaces accepts it
#: again: the model documents a reboot of a REBOOTING WorkSpace only once it has been stuck
#: in that state for over 20 minutes.
REBOOT_STUCK_SECONDS = 1200.0

#: Simulated seconds each action takes; close to what the real service needs.
DEFAULT_DURATIONS: dict[str, float] = {
    "rebuild": 2400.0,
    "restore": 2400.0,
    "reboot": 180.0,
    "start": 120.0,
    "stop": 120.0,
}


def action_named(name: str) -> Action:
    """Resolve an action from its short name ("rebuild") or operation name."""
    key = name.strip()
    if key in ACTIONS:
        return ACTIONS[key]
    if key.lower() in ACTIONS:
        return ACTIONS[key.lower()]
    if key in ACTION_BY_OPERATION:
        return ACTION_BY_OPERATION[key]
    known = ", ".join(sorted(ACTIONS))
    raise ValueError(f"unknown action {name!r} (expected one of: {known})")


def _non_negative(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a number, got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value!r}")
    return float(value)


@dataclass
class Timing:
    """How simulated time maps onto real time.

    ``speed`` divides every simulated duration: with speed 1000 a 2400-second
    rebuild completes after 2.4 real seconds.
    """

    speed: float = 1.0
    durations: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_DURATIONS))
    stale_seconds: float = 0.0

    def real_seconds(self, simulated: float) -> float:
        """Convert simulated seconds into real seconds."""
        return simulated / self.speed

    def action_real_seconds(self, action: Action) -> float:
        """Real seconds an action started now will take."""
        return self.real_seconds(self.durations[action.name])

    def updated(
        self,
        speed: float | None = None,
        durations: dict[str, Any] | None = None,
        stale_seconds: float | None = None,
    ) -> Timing:
        """Return a copy with the given fields changed (durations are merged)."""
        new = Timing(self.speed, dict(self.durations), self.stale_seconds)
        if speed is not None:
            new.speed = _non_negative(speed, "speed")
            if new.speed == 0:
                raise ValueError("speed must be greater than 0")
        if durations is not None and not isinstance(durations, dict):
            raise ValueError("durations must be a mapping of action to seconds")
        for name, seconds in (durations or {}).items():
            action = action_named(str(name))
            new.durations[action.name] = _non_negative(seconds, f"duration of {name}")
        if stale_seconds is not None:
            new.stale_seconds = _non_negative(stale_seconds, "stale_seconds")
        return new

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timing:
        """Build timing from defaults plus a ``timing`` section."""
        unknown = set(data) - {"speed", "durations", "stale_seconds"}
        if unknown:
            raise ValueError(f"unknown timing keys: {', '.join(sorted(unknown))}")
        return cls().updated(data.get("speed"), data.get("durations"), data.get("stale_seconds"))

    def to_dict(self) -> dict[str, Any]:
        """JSON form, as the control API reports it."""
        return {
            "speed": self.speed,
            "durations": dict(self.durations),
            "stale_seconds": self.stale_seconds,
        }


@dataclass
class Transition:
    """An accepted action that is still running (all times are real monotonic seconds)."""

    action: Action
    ends_at: float
    final_state: str

    def state_at(self, now: float) -> str | None:
        """The transitional state while running, None once finished."""
        return self.action.transitional_state if now < self.ends_at else None


@dataclass
class StaleView:
    """What DescribeWorkspaces keeps reporting until ``until`` (real monotonic seconds)."""

    state: str
    until: float


@dataclass
class ConnectionStatus:
    """Seeded answer for DescribeWorkspacesConnectionStatus (times are epoch seconds)."""

    state: str = "UNKNOWN"
    checked_at: float | None = None
    last_connected_at: float | None = None

    def to_api(self, workspace_id: str) -> dict[str, Any]:
        """The ``WorkspaceConnectionStatus`` shape."""
        item: dict[str, Any] = {"WorkspaceId": workspace_id, "ConnectionState": self.state}
        if self.checked_at is not None:
            item["ConnectionStateCheckTimestamp"] = self.checked_at
        if self.last_connected_at is not None:
            item["LastKnownUserConnectionTimestamp"] = self.last_connected_at
        return item


@dataclass
class WorkspaceExtras:
    """Simulator-only facts about one WorkSpace, kept beside moto's Workspace object."""

    #: Position in creation order; pagination tokens refer to it.
    sequence: int
    fails: frozenset[str] = frozenset()
    rebuild_snapshots: list[float] = field(default_factory=list)
    restore_snapshots: list[float] = field(default_factory=list)
    connection: ConnectionStatus = field(default_factory=ConnectionStatus)
    transition: Transition | None = None
    stale: StaleView | None = None
    #: While REBOOTING: the real monotonic time from which RebootWorkspaces accepts the
    #: WorkSpace again (stuck long enough); None when it has been REBOOTING since long ago.
    reboot_accepted_at: float | None = None
