# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The throughput options shared by the action modules (each documents its own max_workspaces default)."""

from __future__ import annotations


class ModuleDocFragment:
    """Action options."""

    DOCUMENTATION = r"""
options:
  max_concurrency:
    description:
      - How many API requests may be in flight at once.
      - Requests that AWS throttles are retried with jittered backoff, so a higher value
        mostly helps on fleets of hundreds.
    type: int
    default: 5
"""
