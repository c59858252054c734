# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""map_concurrently: bounded parallelism, results in item order, first error wins."""

from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.concurrency import map_concurrently


@pytest.mark.parametrize("max_workers", [1, 3, 8])
def test_results_are_in_item_order(max_workers: int) -> None:
    """Results come back in the order of the items, whatever order the calls end in."""
    assert map_concurrently(lambda item: item * 2, list(range(20)), max_workers) == [item * 2 for item in range(20)]


@pytest.mark.parametrize("max_workers", [0, 1])
def test_one_worker_runs_in_the_calling_thread(max_workers: int) -> None:
    """With one worker (or fewer) no thread is started."""
    threads = map_concurrently(lambda _item: threading.current_thread(), [1, 2, 3], max_workers)
    assert set(threads) == {threading.current_thread()}


def test_never_more_than_max_workers_calls_at_once() -> None:
    """At most max_workers calls run at once, and they do overlap."""
    lock = threading.Lock()
    running = 0
    peak = 0

    def work(_item: int) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.002)
        with lock:
            running -= 1

    map_concurrently(work, list(range(24)), 3)
    assert 1 < peak <= 3


@pytest.mark.parametrize("max_workers", [1, 4])
def test_the_first_error_in_item_order_is_raised(max_workers: int) -> None:
    """When several calls fail, the error of the first item is the one raised."""

    def work(item: int) -> int:
        if item in (5, 7):
            raise ValueError(f"item {item}")
        return item

    with pytest.raises(ValueError, match="item 5"):
        map_concurrently(work, list(range(10)), max_workers)


def test_calls_not_started_are_not_made_after_an_error() -> None:
    """With one worker, nothing after the failing item runs."""
    seen: list[int] = []

    def work(item: int) -> None:
        seen.append(item)
        if item == 2:
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        map_concurrently(work, list(range(6)), 1)
    assert seen == [0, 1, 2]
