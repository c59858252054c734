"""Fixtures for the simulator's own tests: boto3 client factories for the plugin's server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config

from workspaces_simulator.server import SimulatorServer

# simulator_server and simulator come from the package's pytest plugin, which
# pytest loads through its pytest11 entry point.

ClientFactory = Callable[..., Any]
Seeder = Callable[..., list[str]]


@pytest.fixture(scope="session")
def make_client(simulator_server: SimulatorServer) -> ClientFactory:
    """Build (and cache, since building a client is slow) WorkSpaces clients for the simulator.

    By default retries are off (one attempt), so faults surface as errors;
    ``retries=True`` gives botocore's standard retry mode with six attempts.
    ``validate=False`` turns off client-side parameter validation so that the
    server's own validation can be exercised. Clients sign for ``region``, by default
    the simulator's default region (us-east-1), the one scenarios seed unless they say.
    """

    cache: dict[tuple[bool, bool, float, str], Any] = {}

    def factory(
        retries: bool = False,
        validate: bool = True,
        read_timeout: float = 30,
        region: str = "us-east-1",
    ) -> Any:
        key = (retries, validate, read_timeout, region)
        if key not in cache:
            cache[key] = _build(retries, validate, read_timeout, region)
        return cache[key]

    def _build(retries: bool, validate: bool, read_timeout: float, region: str) -> Any:
        retry_config = (
            {"mode": "standard", "total_max_attempts": 6}
            if retries
            else {"mode": "standard", "total_max_attempts": 1}
        )
        config = Config(
            retries=retry_config,
            parameter_validation=validate,
            connect_timeout=5,
            read_timeout=read_timeout,
        )
        return boto3.session.Session().client(
            "workspaces",
            region_name=region,
            endpoint_url=simulator_server.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=config,
        )

    return factory


@pytest.fixture
def client(simulator: SimulatorServer, make_client: ClientFactory) -> Any:
    """A WorkSpaces client without retries, for a freshly reset simulator."""
    del simulator  # requested only so that the simulator is reset first
    return make_client()


@pytest.fixture
def seed(simulator: SimulatorServer) -> Seeder:
    """Load one WorkSpace per given state (users user000, user001, ...); returns their ids.

    Keyword arguments are added to every WorkSpace entry of the scenario.
    """

    def load(*states: str, **extra: Any) -> list[str]:
        scenario = {
            "directories": [
                {
                    "name": "test.example.com",
                    "workspaces": [
                        {"user": f"user{index:03d}", "state": state, **extra}
                        for index, state in enumerate(states)
                    ],
                }
            ]
        }
        return list(simulator.control.load_scenario(scenario)["workspace_ids"])

    return load
