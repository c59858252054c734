#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: workspace_stop
short_description: Stop Amazon WorkSpaces whose users are not connected
version_added: 1.1.0
description:
  - Finds the WorkSpaces named or selected, checks each one's state, and asks AWS to stop those
    in one of O(states), up to 25 WorkSpaces per C(StopWorkspaces) call, up to
    O(max_concurrency) calls at once.
  - Right before each request it reads the WorkSpace's state (and, with O(skip_connected), its
    user's connection state) again when the last read is older than 5 seconds, so a plan made
    minutes earlier never acts on a WorkSpace that has since left O(states) or whose user has
    since connected.
  - By default it never stops a WorkSpace whose user is connected (O(skip_connected)), so the
    only session a stop can end is one the user already left.
  - 'A WorkSpace already V(STOPPED) changes nothing and fails nothing, even when named in
    O(workspace_ids): its outcome is V(already_stopped). Running a task again changes nothing.'
  - AWS stops only WorkSpaces whose running mode is V(AUTO_STOP) or V(MANUAL). An V(ALWAYS_ON)
    WorkSpace is V(skipped), with a reason naming its running mode.
  - B(A stop ends the user's session.) Work not saved is lost; the volumes are kept.
  - 'A WorkSpace in V(ADMIN_MAINTENANCE) does not respond to a stop: it is V(skipped), with a
    reason saying so, even when named in O(workspace_ids).'
  - Optionally waits until each stop has finished.
  - Every WorkSpace named or selected appears in RV(workspaces) with its outcome, whether the
    task succeeds or fails.
author:
  - euc.workspaces maintainers (@euc-collections)
options:
  states:
    description:
      - Stop only the WorkSpaces in one of these states, when selected and again right before
        the request.
      - 'By default every state AWS stops a WorkSpace from: stopping is what the task asks for,
        and O(skip_connected) keeps connected users'' sessions.'
      - A WorkSpace selected by a filter in another state is skipped (one V(STOPPED) is
        V(already_stopped)). One named in O(workspace_ids) fails with error code
        V(InvalidWorkspaceState), unless it is V(STOPPED).
      - A WorkSpace already V(STOPPING) is not asked again; its outcome is V(in_progress).
    type: list
    elements: str
    choices: [AVAILABLE, IMPAIRED, UNHEALTHY, ERROR]
    default: [AVAILABLE, IMPAIRED, UNHEALTHY, ERROR]
  max_workspaces:
    description:
      - The most WorkSpaces one run may act on; with more, the task fails before any change (see
        the notes).
      - 'A stop loses only what was not saved, and one call takes 25 WorkSpaces: the default is
        one full call.'
    type: int
    default: 25
extends_documentation_fragment:
  - euc.workspaces.selection
  - euc.workspaces.action
  - euc.workspaces.attributes
  - euc.workspaces.action.skip_connected
  - euc.workspaces.wait
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  idempotent:
    description: When run twice with the same options, the second run reports no change.
    support: full
    details:
      - A WorkSpace stopped by the first run is V(STOPPED) (or V(STOPPING)) for the second,
        which reports it V(already_stopped) (or V(in_progress)).
notes:
  - Outcomes are V(stop_requested), V(stopped), V(already_stopped), V(in_progress), V(skipped),
    V(failed) and V(unknown).
seealso:
  - module: euc.workspaces.workspace_info
  - module: euc.workspaces.workspace_rebuild
  - name: Stop and start a WorkSpace
    description: Running modes, and what stopping and starting do.
    link: https://docs.aws.amazon.com/workspaces/latest/adminguide/running-mode.html
  - name: StopWorkspaces API
    description: The API call this module makes.
    link: https://docs.aws.amazon.com/workspaces/latest/api/API_StopWorkspaces.html
  - ref: ansible_collections.euc.workspaces.docsite.guide_recover
    description: Recovering WorkSpaces - the escalation from start to rebuild, and what each step costs the user.
"""

EXAMPLES = r"""
- name: See which WorkSpaces of a directory would be stopped (users connected are left alone)
  euc.workspaces.workspace_stop:
    directory_id: d-1234567890
  check_mode: true
  register: planned

- name: Stop the AUTO_STOP and MANUAL desktops of a team for the weekend, and wait
  euc.workspaces.workspace_stop:
    tags:
      team: finance
    max_workspaces: 200
    wait: true
  register: stopped

- name: Make sure a WorkSpace is stopped (one already STOPPED changes nothing)
  euc.workspaces.workspace_stop:
    workspace_ids: [ws-abc12345]
"""

RETURN = r"""
msg:
  description: One line with the number of WorkSpaces of each outcome.
  returned: always
  type: str
  sample: "3 WorkSpaces: 1 failed, 2 stopped"
workspaces:
  description: One entry per WorkSpace named or selected, sorted by WorkSpace id.
  returned: always
  type: list
  elements: dict
  contains:
    workspace_id:
      description: The WorkSpace's id.
      type: str
      returned: always
      sample: ws-abc12345
    directory_id:
      description: Its directory; null for an id that was not found.
      type: str
      returned: always
      sample: d-1234567890
    user_name:
      description: Its user; null for an id that was not found.
      type: str
      returned: always
      sample: alice
    computer_name:
      description: Its computer name; null for an id that was not found.
      type: str
      returned: always
      sample: WSAMZN-ABC123
    bundle_id:
      description: Its bundle; null for an id that was not found.
      type: str
      returned: always
      sample: wsb-0123456789
    running_mode:
      description: Its running mode (V(AUTO_STOP), V(ALWAYS_ON) or V(MANUAL)); null for an id that was not found.
      type: str
      returned: always
      sample: AUTO_STOP
    snapshot_time:
      description:
        - Always null - a stop keeps the volumes, so no snapshot is read. The key is kept so that
          every action module returns entries of the same shape.
      type: str
      returned: always
      sample: null
    connection_state:
      description:
        - Its user's connection state (V(CONNECTED), V(DISCONNECTED) or V(UNKNOWN)), read right
          before its request; null when it was not read (O(skip_connected=false), or not to be stopped).
      type: str
      returned: always
      sample: DISCONNECTED
    state:
      description: Its state when the task began.
      type: str
      returned: always
      sample: ERROR
    final_state:
      description: The last state read; with O(wait), the state it ended in.
      type: str
      returned: always
      sample: STOPPED
    outcome:
      description:
        - V(stop_requested) - AWS accepted the stop (or would, in check mode).
        - V(stopped) - with O(wait), the WorkSpace went through V(STOPPING) to V(STOPPED).
        - V(in_progress) - it was already V(STOPPING); it was not asked again.
        - V(in_progress) also for a WorkSpace found V(STOPPING) right before its request. With
          O(wait), a WorkSpace found V(STOPPING) that then becomes V(STOPPED) is V(stopped),
          without counting as a change.
        - V(already_stopped) - it was already V(STOPPED), when selected or right before its request; nothing was
          asked, and it is not a failure, even when named in O(workspace_ids).
        - V(skipped) - not acted on; RV(workspaces[].reason) says why
          (state, connected user, V(ALWAYS_ON) running mode, V(ADMIN_MAINTENANCE),
          O(exclude_tags), O(idempotency_token), the outage bound, ...).
        - V(failed) - RV(workspaces[].error_code) and RV(workspaces[].error_message) say why.
        - V(unknown) - the request may have been accepted (its answer was lost), but the WorkSpace
          showed no sign of it; check it before running again. Counts as a change and fails the task.
      type: str
      returned: always
      sample: stopped
    error_code:
      description:
        - With V(failed), the error code, exactly as AWS gave it in C(FailedRequests) or an
          exception, or one of the module's own codes V(WorkspaceNotFound),
          V(InvalidWorkspaceState), V(StopFailed) and V(WaitTimeout).
        - V(StopFailed) when the WorkSpace ended in V(ERROR) or V(UNHEALTHY) (its
          RV(workspaces[].error_message) then carries the C(ErrorCode) and C(ErrorMessage) that
          C(DescribeWorkspaces) gives), or V(AVAILABLE) again, or became V(STARTING), V(SUSPENDED), V(TERMINATED), ... while waited on.
        - With V(unknown), the code of the last error of its request.
      type: str
      returned: when the outcome is failed or unknown
      sample: InvalidResourceState.Workspace
    error_message:
      description: With V(failed) or V(unknown), the error message, exactly as AWS gave it, or the module's own.
      type: str
      returned: when the outcome is failed or unknown
      sample: The WorkSpace is not in a valid state for this operation.
    reason:
      description:
        - With V(skipped), why.
        - With V(stop_requested) or V(stopped), when the stop call reported an error but the
          WorkSpace was V(STOPPING) right after (an answer lost on the way back, then a retry
          refused because the first attempt had been accepted), that error.
      type: str
      returned: when the outcome is skipped, and when a stop was taken as accepted despite an error
      sample: state AVAILABLE is not in states (ERROR, UNHEALTHY)
failed_requests:
  description:
    - One entry per WorkSpace whose outcome is V(failed) or V(unknown). AWS's C(FailedRequests)
      entries appear verbatim, with snake_cased keys.
  returned: always
  type: list
  elements: dict
  contains:
    workspace_id:
      description: The WorkSpace's id.
      type: str
      returned: always
    error_code:
      description: The error code.
      type: str
      returned: always
    error_message:
      description: The error message.
      type: str
      returned: always
  sample:
    - workspace_id: ws-abc12345
      error_code: OperationNotSupportedException
      error_message: The operation is not supported for this WorkSpace.
stop_requested:
  description: The ids of the WorkSpaces whose stop AWS accepted (would accept, in check mode).
  returned: always
  type: list
  elements: str
  sample: [ws-abc12345]
diff:
  description: In diff mode, the state of each WorkSpace a stop was requested for, before and after.
  returned: when diff mode is on
  type: dict
  sample:
    before:
      ws-abc12345: ERROR
    after:
      ws-abc12345: AVAILABLE
"""

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import STOP
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.module_runner import action_module_main


def main() -> None:
    action_module_main(STOP)


if __name__ == "__main__":
    main()
