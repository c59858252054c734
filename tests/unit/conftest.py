# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures shared by every unit test: no test ever sleeps for real."""

from __future__ import annotations

import functools
import types
import typing as t

import pytest

from ansible_collections.amazon.aws.plugins.module_utils import cloud

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces import actions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces import waiter

from .helpers.fake_workspaces import FakeClock


@pytest.fixture(autouse=True)
def retry_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays amazon.aws's retry decorators would have slept for, in order.

    AWSRetry sleeps with ``time.sleep`` inside amazon.aws's cloud module; only that
    module's view of ``time`` is replaced, so nothing else is affected.
    """
    sleeps: list[float] = []
    monkeypatch.setattr(cloud, "time", types.SimpleNamespace(sleep=sleeps.append))
    return sleeps


@pytest.fixture(autouse=True)
def wait_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The clock the engine's waits run on: polls advance it instead of sleeping."""
    clock = FakeClock()
    patched: t.Callable[..., None] = functools.partial(waiter.wait_for, sleep=clock.sleep, clock=clock.monotonic)
    monkeypatch.setattr(actions, "wait_for", patched)
    return clock
