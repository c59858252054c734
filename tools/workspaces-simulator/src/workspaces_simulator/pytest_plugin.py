"""pytest plugin: an in-process WorkSpaces simulator for the whole session.

Installing the package registers it with pytest (the ``pytest11`` entry point
``workspaces_simulator``), so its fixtures are there in every test session of
that environment; with ``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` set, load it with
``-p workspaces_simulator``. Fixtures:

* ``simulator_region`` (session): the simulator's default region, ``us-east-1``;
  override it in a ``conftest.py`` to serve another one by default.
* ``simulator_server`` (session): a running ``SimulatorServer`` on a free
  loopback port, with ``.endpoint_url`` and ``.control``.
* ``simulator`` (function): the same server after ``control.reset()``, so each
  test starts with no WorkSpaces, no faults, zero counts and default timing.

The server (and moto with it) is imported only when a test asks for one of
them, so merely having the plugin costs a test session nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .server import SimulatorServer


@pytest.fixture(scope="session")
def simulator_region() -> str:
    """The default region of the session's simulator: requests and scenarios that name no
    region are for it."""
    return "us-east-1"


@pytest.fixture(scope="session")
def simulator_server(simulator_region: str) -> Iterator[SimulatorServer]:  # pylint: disable=redefined-outer-name
    """Start the simulator once per test session; stop it at the end."""
    from .server import SimulatorServer  # pylint: disable=import-outside-toplevel

    server = SimulatorServer(host="127.0.0.1", port=0, region=simulator_region).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def simulator(simulator_server: SimulatorServer) -> SimulatorServer:  # pylint: disable=redefined-outer-name
    """The session's simulator, emptied before the test."""
    simulator_server.control.reset()
    return simulator_server
