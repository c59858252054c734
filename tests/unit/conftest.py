# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures shared by every unit test: no test ever sleeps for real."""

from __future__ import annotations

import types

import pytest

from ansible_collections.amazon.aws.plugins.module_utils import cloud

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces import api
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import Clock

from .helpers.fake_workspaces import FakeClock


@pytest.fixture(autouse=True)
def wait_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The clock every WorkspacesApi made by a test (or a module's main) runs on: retry
    backoffs and polls advance it instead of sleeping."""
    clock = FakeClock()
    monkeypatch.setattr(api, "Clock", lambda: Clock(sleep=clock.sleep, monotonic=clock.monotonic))
    return clock


@pytest.fixture
def retry_sleeps(wait_clock: FakeClock) -> list[float]:
    """Every delay slept, retry backoffs and polls alike, in order."""
    return wait_clock.sleeps


@pytest.fixture
def no_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """amazon.aws's jitter draws each delay in [0, delay]: always the top makes backoffs exact
    (1, 2, 4, 8, 8, ... s) and the longest the engine can sleep."""
    monkeypatch.setattr(cloud, "random", types.SimpleNamespace(uniform=lambda _low, high: high))
