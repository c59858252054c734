# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The client the modules create: sized for the threads that share it."""

from __future__ import annotations

import typing as t

import pytest

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
