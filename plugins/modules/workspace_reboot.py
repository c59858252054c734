#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: workspace_reboot
short_description: Reboot Amazon WorkSpaces, cheapest step of a recovery
version_added: 1.1.0
description:
  - Finds the WorkSpaces named or selected, checks each one's state, and asks AWS to reboot
    those in one of O(states), up to 25 WorkSpaces per C(RebootWorkspaces) call, up to
    O(max_concurrency) calls at once.
  - Right before each request it reads the WorkSpace's state (and, with O(skip_connected), its
    user's connection state) again when the last read is older than 5 seconds, so a plan made
    minutes earlier never acts on a WorkSpace that has since left O(states) or whose user has
    since connected.
  - By default only V(UNHEALTHY) WorkSpaces are rebooted, never one whose user is connected, so
    running a task again changes nothing.
  - B(A reboot interrupts the user's session.) Work not saved is lost; the user volume and the
    root volume are kept. A reboot takes a few minutes.
  - AWS cannot reboot a WorkSpace in V(ERROR) (see M(euc.workspaces.workspace_restore) and
    M(euc.workspaces.workspace_rebuild)) or in V(ADMIN_MAINTENANCE).
  - 'A WorkSpace in V(ADMIN_MAINTENANCE) does not respond to a reboot: it is V(skipped), with a
    reason saying so, even when named in O(workspace_ids).'
  - Optionally waits until each reboot has finished.
  - Every WorkSpace named or selected appears in RV(workspaces) with its outcome, whether the
    task succeeds or fails.
author:
  - euc.workspaces maintainers (@euc-collections)
options:
  states:
    description:
      - Reboot only the WorkSpaces in one of these states, when selected and again right before
        the request.
      - Rebooting a healthy WorkSpace (V(AVAILABLE)) is opt-in; name that state to do it.
      - V(REBOOTING) is also the state a reboot passes through. A WorkSpace found V(REBOOTING)
        is not asked again (its outcome is V(in_progress)) unless V(REBOOTING) is named here,
        for a reboot that is stuck; AWS accepts that only after the WorkSpace has been
        V(REBOOTING) for over 20 minutes.
      - A WorkSpace selected by a filter whose state AWS does not allow a reboot from is
        skipped. One named in O(workspace_ids) fails with error code V(InvalidWorkspaceState).
    type: list
    elements: str
    choices: [AVAILABLE, UNHEALTHY, REBOOTING]
    default: [UNHEALTHY]
  max_workspaces:
    description:
      - The most WorkSpaces one run may act on; with more, the task fails before any change (see
        the notes).
      - 'A reboot loses only what was not saved, and one call takes 25 WorkSpaces: the default
        is one full call.'
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
      - With the default O(states), a WorkSpace rebooted by the first run is V(AVAILABLE) (or
        V(REBOOTING)) for the second, which skips it (or reports it V(in_progress)).
      - When O(states) names V(AVAILABLE), a re-run reboots again, unless both runs share an
        O(idempotency_token).
notes:
  - Outcomes are V(reboot_requested), V(rebooted), V(in_progress), V(skipped), V(failed) and
    V(unknown).
seealso:
  - module: euc.workspaces.workspace_info
  - module: euc.workspaces.workspace_rebuild
  - name: Reboot a WorkSpace
    description: What a reboot does to a WorkSpace.
    link: https://docs.aws.amazon.com/workspaces/latest/adminguide/reboot-workspaces.html
  - name: RebootWorkspaces API
    description: The API call this module makes.
    link: https://docs.aws.amazon.com/workspaces/latest/api/API_RebootWorkspaces.html
  - ref: ansible_collections.euc.workspaces.docsite.guide_recover
    description: Recovering WorkSpaces - the escalation from start to rebuild, and what each step costs the user.
"""

EXAMPLES = r"""
- name: See which UNHEALTHY WorkSpaces of a directory would be rebooted
  euc.workspaces.workspace_reboot:
    directory_id: d-1234567890
  check_mode: true
  register: planned

- name: Reboot the UNHEALTHY WorkSpaces of a directory and wait until they are AVAILABLE
  euc.workspaces.workspace_reboot:
    directory_id: d-1234567890
    wait: true
    wait_timeout: 900
  register: rebooted

- name: Reboot a stuck WorkSpace (REBOOTING for over 20 minutes)
  euc.workspaces.workspace_reboot:
    workspace_ids: [ws-abc12345]
    states: [REBOOTING]

- name: Reboot healthy desktops of a team at night, users connected or not
  euc.workspaces.workspace_reboot:
    tags:
      team: finance
    states: [AVAILABLE, UNHEALTHY]
    skip_connected: false
    max_workspaces: 200
    idempotency_token: CHG0004711

- name: Show the WorkSpaces that could not be rebooted
  ansible.builtin.debug:
    msg: "{{ item.workspace_id }}: {{ item.error_code }} {{ item.error_message }}"
  loop: "{{ rebooted.failed_requests }}"
"""

RETURN = r"""
msg:
  description: One line with the number of WorkSpaces of each outcome.
  returned: always
  type: str
  sample: "3 WorkSpaces: 1 failed, 2 rebooted"
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
        - Always null - a reboot keeps the volumes, so no snapshot is read. The key is kept so that
          every action module returns entries of the same shape.
      type: str
      returned: always
      sample: null
    connection_state:
      description:
        - Its user's connection state (V(CONNECTED), V(DISCONNECTED) or V(UNKNOWN)), read right
          before its request; null when it was not read (O(skip_connected=false), or not to be rebooted).
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
      sample: AVAILABLE
    outcome:
      description:
        - V(reboot_requested) - AWS accepted the reboot (or would, in check mode).
        - V(rebooted) - with O(wait), the WorkSpace went through V(REBOOTING) to V(AVAILABLE).
        - V(in_progress) - it was already V(REBOOTING); it was not asked again.
        - V(in_progress) also for a WorkSpace found V(REBOOTING) right before its request. With
          O(wait), a WorkSpace found V(REBOOTING) that then becomes V(AVAILABLE) is V(rebooted),
          without counting as a change.
        - V(skipped) - not acted on; RV(workspaces[].reason) says why
          (state, connected user, V(ADMIN_MAINTENANCE), O(exclude_tags), O(idempotency_token),
          the outage bound, ...).
        - V(failed) - RV(workspaces[].error_code) and RV(workspaces[].error_message) say why.
        - V(unknown) - the request may have been accepted (its answer was lost), but the WorkSpace
          showed no sign of it; check it before running again. Counts as a change and fails the task.
      type: str
      returned: always
      sample: rebooted
    error_code:
      description:
        - With V(failed), the error code, exactly as AWS gave it in C(FailedRequests) or an
          exception, or one of the module's own codes V(WorkspaceNotFound),
          V(InvalidWorkspaceState), V(RebootFailed) and V(WaitTimeout).
        - V(RebootFailed) when the WorkSpace ended in V(ERROR) or V(UNHEALTHY) (its
          RV(workspaces[].error_message) then carries the C(ErrorCode) and C(ErrorMessage) that
          C(DescribeWorkspaces) gives), or became V(STOPPING), V(STOPPED), V(SUSPENDED), V(TERMINATED), ... while waited on.
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
        - With V(reboot_requested) or V(rebooted), when the reboot call reported an error but the
          WorkSpace was V(REBOOTING) right after (an answer lost on the way back, then a retry
          refused because the first attempt had been accepted), that error.
      type: str
      returned: when the outcome is skipped, and when a reboot was taken as accepted despite an error
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
reboot_requested:
  description: The ids of the WorkSpaces whose reboot AWS accepted (would accept, in check mode).
  returned: always
  type: list
  elements: str
  sample: [ws-abc12345]
diff:
  description: In diff mode, the state of each WorkSpace a reboot was requested for, before and after.
  returned: when diff mode is on
  type: dict
  sample:
    before:
      ws-abc12345: ERROR
    after:
      ws-abc12345: AVAILABLE
"""

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import REBOOT
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.module_runner import action_module_main


def main() -> None:
    action_module_main(REBOOT)


if __name__ == "__main__":
    main()
