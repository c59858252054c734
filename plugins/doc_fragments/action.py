# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The safety and throughput options shared by the action modules."""

from __future__ import annotations


class ModuleDocFragment:
    """Action options."""

    DOCUMENTATION = r"""
options:
  max_workspaces:
    description:
      - The most WorkSpaces one run may act on.
      - When more WorkSpaces would be acted on, the task fails before any change, saying how
        many matched. This protects a fleet from a selector that matches more than meant.
      - Counted after the state, O(exclude_tags) and O(idempotency_token) checks, before the
        snapshot and connection checks (so that a selector matching thousands is refused
        before one call per WorkSpace is made).
    type: int
    default: 10
  max_concurrency:
    description:
      - How many API requests may be in flight at once.
      - Requests that AWS throttles are retried with jittered backoff, so a higher value
        mostly helps on fleets of hundreds.
    type: int
    default: 5
"""
