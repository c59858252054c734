"""Local Amazon WorkSpaces simulator built on moto, for testing the euc.workspaces collection.

It extends moto's WorkSpaces backend with the lifecycle operations (rebuild,
reboot, restore, start, stop), snapshots, connection status, pagination, stale
reads, fault injection and scheduled changes, and serves it over HTTP on a
loopback address with a ``/_sim/`` control API. See the project's README.md.

Only the standard-library control client is imported eagerly, so
``from workspaces_simulator import SimulatorControl`` works without moto; the
server side is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .control import SimulatorControl, SimulatorControlError

if TYPE_CHECKING:
    from .core import Simulator
    from .server import SimulatorServer

__all__ = ["Simulator", "SimulatorControl", "SimulatorControlError", "SimulatorServer"]


def __getattr__(name: str) -> Any:
    # Lazy so that importing the control client does not pull in moto.
    if name == "Simulator":
        from .core import Simulator  # pylint: disable=import-outside-toplevel

        return Simulator
    if name == "SimulatorServer":
        from .server import SimulatorServer  # pylint: disable=import-outside-toplevel

        return SimulatorServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
