# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The wait options shared by the action modules."""

from __future__ import annotations


class ModuleDocFragment:
    """Wait options."""

    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait until every WorkSpace the action was requested for, and every WorkSpace found
        already in the middle of it, has finished.
      - Right after a request is accepted, AWS may still report the old state. The wait only
        trusts the final state once it has seen the WorkSpace in the transitional state, or
        when the WorkSpace was not in the final state before the request.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait in all before the remaining WorkSpaces are reported as
        failed with error code V(WaitTimeout).
    type: int
    default: 3600
  wait_delay:
    description:
      - Seconds between two polls. Each poll costs one C(DescribeWorkspaces) call per
        25 WorkSpaces still being waited on.
    type: int
    default: 15
"""
