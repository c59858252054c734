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
      - 'The rule: a read counts once the WorkSpace has moved since the request, that is once a
        read showed the transitional state (for a rebuild V(REBUILDING)) or a state other than the
        one it was in when the request was sent. Right after a request is accepted AWS may still
        report the old state, so a read of that state before the WorkSpace moved proves nothing.'
      - Once it has moved, the target state (for a rebuild V(AVAILABLE)) ends the wait as done; a
        failure state (V(ERROR), V(UNHEALTHY)) as failed, with AWS's C(ErrorCode) and
        C(ErrorMessage); a state from which the action can no longer end well (V(TERMINATING),
        V(TERMINATED), V(SUSPENDED), and for a rebuild V(STOPPING) and V(STOPPED)) as failed at once.
      - Polls come after 1, 2, 4 and 8 seconds, then every O(wait_delay), so an action that takes
        a few seconds is seen in its transitional state and reported done.
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
      - Seconds between two polls, after the first four (1, 2, 4 and 8 seconds, each at most
        O(wait_delay)). Each poll costs one C(DescribeWorkspaces) call per 25 WorkSpaces still
        being waited on.
    type: int
    default: 15
"""
