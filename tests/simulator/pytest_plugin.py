"""pytest plugin: an in-process WorkSpaces simulator for the whole session.

Load it with ``pytest_plugins = ["simulator.pytest_plugin"]`` (``tests/`` on
``sys.path``). Fixtures:

* ``simulator_server`` (session): a running ``SimulatorServer`` on a free
  loopback port, with ``.endpoint_url`` and ``.control``.
* ``simulator`` (function): the same server after ``control.reset()``, so each
  test starts with no WorkSpaces, no faults, zero counts and default timing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import SimulatorServer


@pytest.fixture(scope="session")
def simulator_server() -> Iterator[SimulatorServer]:
    """Start the simulator once per test session; stop it at the end."""
    server = SimulatorServer(host="127.0.0.1", port=0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def simulator(simulator_server: SimulatorServer) -> SimulatorServer:  # pylint: disable=redefined-outer-name
    """The session's simulator, emptied before the test."""
    simulator_server.control.reset()
    return simulator_server
