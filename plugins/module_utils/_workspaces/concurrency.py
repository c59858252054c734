# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""Bounded concurrency for per-WorkSpace API calls.

Several WorkSpaces calls take one WorkSpace each (RebuildWorkspaces, DescribeTags,
DescribeWorkspaceSnapshots); on a fleet of hundreds, calling them one after the other
makes a task wait on network round trips. boto3 clients are thread-safe, so a small
thread pool shares one client.
"""

from __future__ import annotations

import typing as t
from concurrent.futures import ThreadPoolExecutor

Item = t.TypeVar("Item")
Result = t.TypeVar("Result")


def map_concurrently(func: t.Callable[[Item], Result], items: t.Sequence[Item], max_workers: int) -> list[Result]:
    """func applied to every item, at most max_workers calls at once, results in item order.

    When func raises, the calls not yet started are cancelled, the running ones are
    allowed to end, and the first exception in item order is raised.
    """
    if max_workers <= 1 or len(items) <= 1:
        return [func(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(items))) as pool:
        futures = [pool.submit(func, item) for item in items]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise
