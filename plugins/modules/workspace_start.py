#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: workspace_start
short_description: Start stopped Amazon WorkSpaces
version_added: 1.1.0
description:
  - Finds the WorkSpaces named or selected, checks each one's state, and asks AWS to start those
    in one of O(states), up to 25 WorkSpaces per C(StartWorkspaces) call, up to
    O(max_concurrency) calls at once.
  - Right before each request it reads the WorkSpace's state again when the last read is older
    than 5 seconds, so a plan made minutes earlier never acts on a WorkSpace that has since left
    O(states).
  - 'A WorkSpace already V(AVAILABLE) changes nothing and fails nothing, even when named in
    O(workspace_ids): its outcome is V(already_started). Running a task again changes nothing.'
  - AWS starts only WorkSpaces whose running mode is V(AUTO_STOP) or V(MANUAL). An V(ALWAYS_ON)
    WorkSpace is V(skipped), with a reason naming its running mode.
  - Starting a WorkSpace interrupts nobody (a stopped WorkSpace has no session) and loses no
    data; an V(AUTO_STOP) WorkSpace is billed by the hour while it runs.
  - 'A WorkSpace in V(ADMIN_MAINTENANCE) does not respond to a start: it is V(skipped), with a
    reason saying so, even when named in O(workspace_ids).'
  - Optionally waits until each start has finished.
  - Every WorkSpace named or selected appears in RV(workspaces) with its outcome, whether the
    task succeeds or fails.
author:
  - euc.workspaces maintainers (@euc-collections)
options:
  states:
    description:
      - Start only the WorkSpaces in one of these states, when selected and again right before
        the request. AWS starts only V(STOPPED) WorkSpaces.
      - A WorkSpace selected by a filter in another state is skipped (one V(AVAILABLE) is
        V(already_started)). One named in O(workspace_ids) fails with error code
        V(InvalidWorkspaceState), unless it is V(AVAILABLE).
      - A WorkSpace already V(STARTING) is not asked again; its outcome is V(in_progress).
    type: list
    elements: str
    choices: [STOPPED]
    default: [STOPPED]
  max_workspaces:
    description:
      - The most WorkSpaces one run may act on; with more, the task fails before any change (see
        the notes).
      - A start interrupts nobody; the guard still stops a selector that matches a whole fleet
        by mistake.
    type: int
    default: 100
extends_documentation_fragment:
  - euc.workspaces.selection
  - euc.workspaces.action
  - euc.workspaces.attributes
  - euc.workspaces.wait
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  idempotent:
    description: When run twice with the same options, the second run reports no change.
    support: full
    details:
      - A WorkSpace started by the first run is V(AVAILABLE) (or V(STARTING)) for the second,
        which reports it V(already_started) (or V(in_progress)).
notes:
  - Outcomes are V(start_requested), V(started), V(already_started), V(in_progress), V(skipped),
    V(failed) and V(unknown).
seealso:
  - module: euc.workspaces.workspace_info
  - module: euc.workspaces.workspace_rebuild
  - name: Stop and start a WorkSpace
    description: Running modes, and what stopping and starting do.
    link: https://docs.aws.amazon.com/workspaces/latest/adminguide/running-mode.html
  - name: StartWorkspaces API
    description: The API call this module makes.
    link: https://docs.aws.amazon.com/workspaces/latest/api/API_StartWorkspaces.html
  - ref: ansible_collections.euc.workspaces.docsite.guide_recover
    description: Recovering WorkSpaces - the escalation from start to rebuild, and what each step costs the user.
"""

EXAMPLES = r"""
- name: Start the stopped WorkSpaces of a directory before a training session
  euc.workspaces.workspace_start:
    directory_id: d-1234567890
    max_workspaces: 300
    wait: true
    wait_timeout: 1200
  register: started

- name: Make sure two WorkSpaces are running (those already AVAILABLE change nothing)
  euc.workspaces.workspace_start:
    workspace_ids:
      - ws-abc12345
      - ws-def67890

- name: List the WorkSpaces that could not be started because they are ALWAYS_ON
  ansible.builtin.debug:
    msg: "{{ started.workspaces | selectattr('running_mode', 'equalto', 'ALWAYS_ON') | map(attribute='workspace_id') }}"
"""

RETURN = r"""
msg:
  description: One line with the number of WorkSpaces of each outcome.
  returned: always
  type: str
  sample: "3 WorkSpaces: 1 failed, 2 started"
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
        - Always null - a start keeps the volumes, so no snapshot is read. The key is kept so that
          every action module returns entries of the same shape.
      type: str
      returned: always
      sample: null
    connection_state:
      description:
        - Always null - a stopped WorkSpace has no session, so a start reads no connection state.
          The key is kept so that every action module returns entries of the same shape.
      type: str
      returned: always
      sample: null
    state:
      description: Its state when the task began.
      type: str
      returned: always
      sample: ERROR
    final_state:
      description: The last state read; with O(wait), the state it ended in.
      type: str
      returned: always
      sample: AVAILABLE
    outcome:
      description:
        - V(start_requested) - AWS accepted the start (or would, in check mode).
        - V(started) - with O(wait), the WorkSpace went through V(STARTING) to V(AVAILABLE).
        - V(in_progress) - it was already V(STARTING); it was not asked again.
        - V(in_progress) also for a WorkSpace found V(STARTING) right before its request. With
          O(wait), a WorkSpace found V(STARTING) that then becomes V(AVAILABLE) is V(started),
          without counting as a change.
        - V(already_started) - it was already V(AVAILABLE), when selected or right before its request; nothing was
          asked, and it is not a failure, even when named in O(workspace_ids).
        - V(skipped) - not acted on; RV(workspaces[].reason) says why
          (state, V(ALWAYS_ON) running mode, V(ADMIN_MAINTENANCE), O(exclude_tags),
          O(idempotency_token), the outage bound, ...).
        - V(failed) - RV(workspaces[].error_code) and RV(workspaces[].error_message) say why.
        - V(unknown) - the request may have been accepted (its answer was lost), but the WorkSpace
          showed no sign of it; check it before running again. Counts as a change and fails the task.
      type: str
      returned: always
      sample: started
    error_code:
      description:
        - With V(failed), the error code, exactly as AWS gave it in C(FailedRequests) or an
          exception, or one of the module's own codes V(WorkspaceNotFound),
          V(InvalidWorkspaceState), V(StartFailed) and V(WaitTimeout).
        - V(StartFailed) when the WorkSpace ended in V(ERROR) or V(UNHEALTHY) (its
          RV(workspaces[].error_message) then carries the C(ErrorCode) and C(ErrorMessage) that
          C(DescribeWorkspaces) gives), or became V(STOPPED) again, V(SUSPENDED), V(TERMINATED), ... while waited on.
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
        - With V(start_requested) or V(started), when the start call reported an error but the
          WorkSpace was V(STARTING) right after (an answer lost on the way back, then a retry
          refused because the first attempt had been accepted), that error.
      type: str
      returned: when the outcome is skipped, and when a start was taken as accepted despite an error
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
start_requested:
  description: The ids of the WorkSpaces whose start AWS accepted (would accept, in check mode).
  returned: always
  type: list
  elements: str
  sample: [ws-abc12345]
diff:
  description: In diff mode, the state of each WorkSpace a start was requested for, before and after.
  returned: when diff mode is on
  type: dict
  sample:
    before:
      ws-abc12345: ERROR
    after:
      ws-abc12345: AVAILABLE
"""

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import START
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.module_runner import action_module_main


def main() -> None:
    action_module_main(START)


if __name__ == "__main__":
    main()
