#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: workspace_info
short_description: Describe Amazon WorkSpaces, with their tags, snapshots and connection status
version_added: 1.0.0
description:
  - Returns the WorkSpaces matching the same selectors as M(euc.workspaces.workspace_rebuild),
    optionally only those in some O(states).
  - With no selector at all, it returns every WorkSpace in the region.
  - Each kind of extra detail costs API calls, so each is off by default.
author:
  - euc.workspaces maintainers (@euc-collections)
options:
  states:
    description:
      - Only the WorkSpaces currently in one of these states. All states when not set.
      - An empty list is refused, since it would select nothing.
    type: list
    elements: str
    choices:
      - PENDING
      - AVAILABLE
      - IMPAIRED
      - UNHEALTHY
      - REBOOTING
      - STARTING
      - REBUILDING
      - RESTORING
      - MAINTENANCE
      - ADMIN_MAINTENANCE
      - TERMINATING
      - TERMINATED
      - SUSPENDED
      - UPDATING
      - STOPPING
      - STOPPED
      - ERROR
  include_tags:
    description:
      - Add each WorkSpace's tags, as a dict, in RV(workspaces[].tags).
      - Costs one C(DescribeTags) call per WorkSpace (none more for WorkSpaces selected by O(tags)).
    type: bool
    default: false
  include_snapshots:
    description:
      - Add each WorkSpace's rebuild and restore snapshots (C(DescribeWorkspaceSnapshots)).
      - A rebuild restores the user volume from the latest rebuild snapshot; anything the user
        saved after it is lost.
      - Costs one call per WorkSpace.
    type: bool
    default: false
  include_connection_status:
    description:
      - Add each WorkSpace's connection state and the time its user last connected
        (C(DescribeWorkspacesConnectionStatus)).
      - Costs one call per 25 WorkSpaces.
    type: bool
    default: false
  max_concurrency:
    description:
      - How many calls may be in flight at once, counting the per-WorkSpace calls (C(DescribeTags),
        C(DescribeWorkspaceSnapshots)) and the reads of 25 WorkSpaces a call (C(DescribeWorkspaces)
        by ids, C(DescribeWorkspacesConnectionStatus)).
      - They share one pace per API operation. Once AWS throttles an operation, every call of it
        waits for its slot at the rate the account lets through, learned from the answers;
        a throttled call is retried in its next slot.
    type: int
    default: 20
extends_documentation_fragment:
  - euc.workspaces.attributes
  - euc.workspaces.selection
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    description: Can run in check mode; it never changes anything.
    support: full
  diff_mode:
    description: Changes nothing, so has no diff.
    support: N/A
  idempotent:
    description: Changes nothing.
    support: full
seealso:
  - module: euc.workspaces.workspace_rebuild
  - name: DescribeWorkspaces API
    description: The main API call this module makes.
    link: https://docs.aws.amazon.com/workspaces/latest/api/API_DescribeWorkspaces.html
"""

EXAMPLES = r"""
- name: The UNHEALTHY WorkSpaces of a directory
  euc.workspaces.workspace_info:
    directory_id: d-1234567890
    states: [UNHEALTHY]
  register: unhealthy

- name: Everything about two WorkSpaces before rebuilding them
  euc.workspaces.workspace_info:
    workspace_ids: [ws-abc12345, ws-def67890]
    include_tags: true
    include_snapshots: true
    include_connection_status: true
  register: before_rebuild

- name: The finance team's WorkSpaces with their connection status
  euc.workspaces.workspace_info:
    tags:
      team: finance
    include_connection_status: true
  register: finance

- name: Who is connected right now
  ansible.builtin.debug:
    msg: "{{ item.user_name }} on {{ item.workspace_id }}"
  loop: "{{ finance.workspaces | selectattr('connection_state', 'equalto', 'CONNECTED') }}"

- name: Every WorkSpace in the region
  euc.workspaces.workspace_info:
  register: all_workspaces
"""

RETURN = r"""
missing_workspace_ids:
  description:
    - The ids named in O(workspace_ids) for which no WorkSpace exists in this region, in the
      order given. The module also warns about them.
  returned: always
  type: list
  elements: str
  sample: [ws-def67890]
workspaces:
  description:
    - The WorkSpaces found, sorted by WorkSpace id, as C(DescribeWorkspaces) returns them with
      snake_cased keys, plus the detail asked for.
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
      description: Its directory.
      type: str
      returned: always
      sample: d-1234567890
    user_name:
      description: Its user.
      type: str
      returned: always
      sample: alice
    state:
      description: Its state.
      type: str
      returned: always
      sample: AVAILABLE
    bundle_id:
      description: Its bundle.
      type: str
      returned: always
      sample: wsb-0123456789
    computer_name:
      description: Its computer name.
      type: str
      returned: when AWS returns it
      sample: WSAMZN-ABC123
    ip_address:
      description: Its private IP address.
      type: str
      returned: when AWS returns it
      sample: 10.0.0.12
    workspace_properties:
      description: Its running mode, volume sizes and compute type.
      type: dict
      returned: when AWS returns it
    tags:
      description: Its tags.
      type: dict
      returned: when O(include_tags=true)
      sample: {"team": "finance"}
    rebuild_snapshots:
      description: The snapshots a rebuild can restore the user volume from.
      type: list
      elements: dict
      returned: when O(include_snapshots=true)
      contains:
        snapshot_time:
          description: When the snapshot was taken.
          type: str
          sample: "2026-11-28T02:00:00+00:00"
    restore_snapshots:
      description: The snapshots a restore can use.
      type: list
      elements: dict
      returned: when O(include_snapshots=true)
      contains:
        snapshot_time:
          description: When the snapshot was taken.
          type: str
          sample: "2026-11-28T02:00:00+00:00"
    connection_state:
      description: V(CONNECTED), V(DISCONNECTED) or V(UNKNOWN).
      type: str
      returned: when O(include_connection_status=true)
      sample: DISCONNECTED
    connection_state_check_timestamp:
      description: When the connection state was last checked.
      type: str
      returned: when O(include_connection_status=true)
    last_known_user_connection_timestamp:
      description: When the user last connected.
      type: str
      returned: when O(include_connection_status=true)
"""

import typing as t

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import InvalidOptionError
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import WorkspacesError
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.info import InfoOptions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.info import describe_selected
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.info import info_argument_spec
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.module_runner import fail_with
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.module_runner import workspaces_api
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.selection import selection_argument_spec


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec={**selection_argument_spec(), **info_argument_spec()},
        required_by={"user_names": "directory_id"},
        supports_check_mode=True,
    )
    options = InfoOptions.from_params(module.params)
    empty: dict[str, t.Any] = dict(changed=False, workspaces=[], missing_workspace_ids=[])
    try:
        options.validate()
        result = describe_selected(workspaces_api(module, options.max_concurrency), options)
    except InvalidOptionError as error:
        module.fail_json(msg=str(error), **empty)
    except WorkspacesError as error:
        fail_with(module, empty, "Could not list the WorkSpaces", error)
    if result.missing_workspace_ids:
        module.warn(f"No WorkSpace found in this region for: {', '.join(map(repr, result.missing_workspace_ids))}")
    module.exit_json(changed=False, workspaces=result.workspaces, missing_workspace_ids=result.missing_workspace_ids)


if __name__ == "__main__":
    main()
