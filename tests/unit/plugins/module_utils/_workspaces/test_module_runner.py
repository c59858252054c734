# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The client the modules create: sized for the threads that share it."""

from __future__ import annotations

import typing as t

import botocore.session
import pytest
from botocore.retries import adaptive

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.module_runner import client_config
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.module_runner import workspaces_client


class RecordingModule:
    """Only what workspaces_client uses of AnsibleAWSModule: client()."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, t.Any]]] = []

    def client(self, service: str, **params: t.Any) -> str:
        self.requests.append((service, params))
        return "client"


@pytest.mark.parametrize(("max_concurrency", "pool"), [(1, 10), (10, 10), (11, 11), (32, 32)])
def test_the_connection_pool_serves_every_thread(max_concurrency: int, pool: int) -> None:
    """botocore keeps 10 connections by default; more threads than that get as many connections."""
    module = RecordingModule()
    assert workspaces_client(module, max_concurrency) == "client"
    [(service, params)] = module.requests
    assert service == "workspaces"
    assert params["config"].max_pool_connections == pool


def test_one_attempt_per_call_in_standard_mode() -> None:
    """botocore makes one attempt per call (the engine retries and keeps the pace per operation)."""
    module = RecordingModule()
    workspaces_client(module, 20)
    [(_service, params)] = module.requests
    assert params["config"].retries == {"mode": "standard", "total_max_attempts": 1}


def test_a_botocore_client_built_so_has_no_client_wide_rate_limiter(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's adaptive limiter would slow every operation of the client once one is
    throttled; the configuration builds a client without it, one attempt per call."""
    limited: list[t.Any] = []
    register = adaptive.register_retry_handler
    monkeypatch.setattr(adaptive, "register_retry_handler", lambda client: limited.append(client) or register(client))
    client = botocore.session.get_session().create_client(
        "workspaces",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=client_config(20),
    )
    assert not limited
    assert client.meta.config.retries["total_max_attempts"] == 1
