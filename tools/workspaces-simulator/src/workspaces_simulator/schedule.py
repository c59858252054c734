"""Scheduled changes: a WorkSpace's state or connection state changes on a timer or a call count.

Tests need the world to move while the code under test is waiting: a rebuild
that a second caller finishes, a WorkSpace terminated by someone else, a user
who connects in the middle of a maintenance run. An event names one WorkSpace,
what it becomes (``state`` and/or ``connection_state``) and when:

* ``after_seconds``: real seconds from when the schedule was set;
* ``after_calls``: once ``count`` calls of ``operation`` (optionally only those
  ``naming`` a given WorkSpace) have passed fault injection and been carried
  out, counted from when the schedule was set.

Like the lifecycle, the schedule is evaluated lazily, without threads: the
simulator applies the events that are due before it serves any call or control
read, and the call-count events right after the call that completes them,
before the lock is released. Everything here runs under the simulator lock.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from typing import Any

from .lifecycle import CONNECTION_STATES, WORKSPACE_STATES
from .validation import service_model

_EVENT_KEYS = {"workspace_id", "state", "connection_state", "after_seconds", "after_calls"}
_CALL_KEYS = {"operation", "count", "naming"}


@dataclass(frozen=True)
class CallTrigger:
    """Fire once ``count`` calls of ``operation`` (naming ``naming``, when set) were carried out."""

    operation: str
    count: int
    naming: str | None = None

    def matches(self, operation: str, workspace_ids: list[str]) -> bool:
        """Whether a call of ``operation`` naming ``workspace_ids`` counts towards this trigger."""
        return operation == self.operation and (self.naming is None or self.naming in workspace_ids)


@dataclass(frozen=True)
class EventSpec:
    """One scheduled change as written: validated, not yet anchored in time."""

    workspace_id: str
    state: str | None
    connection_state: str | None
    after_seconds: float | None = None
    after_calls: CallTrigger | None = None

    def workspace_ids(self) -> list[str]:
        """Every WorkSpace id the event names (its target and its call filter)."""
        ids = [self.workspace_id]
        if self.after_calls is not None and self.after_calls.naming is not None:
            ids.append(self.after_calls.naming)
        return ids


@dataclass(eq=False)  # compared by identity: two identical events are still two events
class PendingEvent:
    """An event waiting for its time (monotonic ``due_at``) or for its calls (``seen``)."""

    spec: EventSpec
    #: Real monotonic seconds when a timed event is due, and the wall time of that moment
    #: (connection timestamps are wall times).
    due_at: float | None = None
    due_wall: float | None = None
    #: Matching calls carried out since the schedule was set.
    seen: int = 0

    def to_dict(self, now: float) -> dict[str, Any]:
        """The format ``parse_schedule`` reads, counting from ``now``: setting it again
        continues the same schedule."""
        spec = self.spec
        data: dict[str, Any] = {"workspace_id": spec.workspace_id}
        if spec.state is not None:
            data["state"] = spec.state
        if spec.connection_state is not None:
            data["connection_state"] = spec.connection_state
        if self.due_at is not None:
            data["after_seconds"] = max(0.0, self.due_at - now)
        if spec.after_calls is not None:
            calls: dict[str, Any] = {
                "operation": spec.after_calls.operation,
                "count": spec.after_calls.count - self.seen,
            }
            if spec.after_calls.naming is not None:
                calls["naming"] = spec.after_calls.naming
            data["after_calls"] = calls
        return data


def check_keys(
    data: Any, allowed: set[str], where: str, error: type[ValueError] = ValueError
) -> dict[str, Any]:
    """data as a mapping with only allowed keys, or error naming where it is (typos fail loudly)."""
    if not isinstance(data, dict):
        raise error(f"{where} must be a mapping")
    unknown = set(data) - allowed
    if unknown:
        raise error(f"unknown keys in {where}: {', '.join(sorted(map(str, unknown)))}")
    return data


def _choice(value: Any, allowed: frozenset[str], what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(sorted(allowed))}, got {value!r}")
    return value


def _after_seconds(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"{where}.after_seconds must be a number >= 0, got {value!r}")
    return float(value)


def _after_calls(value: Any, where: str) -> CallTrigger:
    where = f"{where}.after_calls"
    data = check_keys(value, _CALL_KEYS, where)
    operation = data.get("operation")
    if not isinstance(operation, str) or operation not in service_model().operation_names:
        raise ValueError(f"{where}.operation must be a WorkSpaces operation, got {operation!r}")
    count = data.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"{where}.count must be an integer >= 1, got {count!r}")
    naming = data.get("naming")
    if naming is not None and not isinstance(naming, str):
        raise ValueError(f"{where}.naming must be a WorkSpace id, got {naming!r}")
    return CallTrigger(operation, count, naming)


def parse_event(data: Any, where: str) -> EventSpec:
    """Validate one event's format (whether its WorkSpaces exist is checked by the simulator)."""
    data = check_keys(data, _EVENT_KEYS, where)
    workspace_id = data.get("workspace_id")
    if not isinstance(workspace_id, str) or not workspace_id:
        raise ValueError(f"{where}.workspace_id is required")
    state = _choice(data.get("state"), WORKSPACE_STATES, f"{where}.state")
    connection = _choice(
        data.get("connection_state"), CONNECTION_STATES, f"{where}.connection_state"
    )
    if state is None and connection is None:
        raise ValueError(f"{where} needs a state, a connection_state or both")
    if ("after_seconds" in data) == ("after_calls" in data):
        raise ValueError(f"{where} needs exactly one of after_seconds and after_calls")
    if "after_seconds" in data:
        return EventSpec(
            workspace_id,
            state,
            connection,
            after_seconds=_after_seconds(data["after_seconds"], where),
        )
    return EventSpec(
        workspace_id, state, connection, after_calls=_after_calls(data["after_calls"], where)
    )


def parse_schedule(data: Any, where: str = "schedule") -> list[EventSpec]:
    """Validate a list of events (``None`` or an empty list: no events)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise ValueError(f"{where} must be a list of events")
    return [parse_event(item, f"{where}[{index}]") for index, item in enumerate(data)]


def unknown_ids(events: list[EventSpec], known: Container[str]) -> list[str]:
    """The WorkSpace ids the events name that are not in ``known``, sorted."""
    return sorted({ws for event in events for ws in event.workspace_ids() if ws not in known})


class Schedule:
    """The pending events; not thread-safe (the simulator lock guards it)."""

    def __init__(self) -> None:
        self._events: list[PendingEvent] = []

    def replace(self, events: list[EventSpec], now: float, wall_now: float) -> None:
        """Make ``events`` the whole schedule, timed from ``now`` (monotonic) and ``wall_now``."""
        self._events = [
            PendingEvent(spec)
            if spec.after_seconds is None
            else PendingEvent(spec, now + spec.after_seconds, wall_now + spec.after_seconds)
            for spec in events
        ]

    def clear(self) -> None:
        """Forget every pending event."""
        self._events = []

    def due(self, now: float) -> list[PendingEvent]:
        """Remove and return the timed events due by ``now``, earliest first (ties: list order)."""
        due = [e for e in self._events if e.due_at is not None and e.due_at <= now]
        if due:
            self._events = [e for e in self._events if e not in due]
        return sorted(due, key=lambda e: e.due_at or 0.0)

    def after_call(self, operation: str, workspace_ids: list[str]) -> list[PendingEvent]:
        """Count a call carried out; remove and return the events it completes, in list order."""
        fired = []
        for event in self._events:
            trigger = event.spec.after_calls
            if trigger is None or not trigger.matches(operation, workspace_ids):
                continue
            event.seen += 1
            if event.seen >= trigger.count:
                fired.append(event)
        if fired:
            self._events = [e for e in self._events if e not in fired]
        return fired

    def to_list(self, now: float) -> list[dict[str, Any]]:
        """The pending events in the format ``parse_schedule`` reads, counted from ``now``."""
        return [event.to_dict(now) for event in self._events]
