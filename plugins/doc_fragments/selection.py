# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The WorkSpace selection options shared by every module of the collection."""

from __future__ import annotations


class ModuleDocFragment:
    """Selection options."""

    DOCUMENTATION = r"""
options:
  workspace_ids:
    description:
      - The WorkSpaces to act on, by id.
      - Each id must match V(^ws-[0-9a-z]{8,63}$); a malformed id fails the task before any API call.
      - Duplicate ids are collapsed. An empty list names no WorkSpace.
    type: list
    elements: str
    aliases: [workspace_id]
  directory_id:
    description:
      - Only the WorkSpaces registered to this directory.
    type: str
  user_names:
    description:
      - Only the WorkSpaces of these directory users. Requires O(directory_id).
      - Give the names as the directory spells them; each must have 1 to 63 characters.
    type: list
    elements: str
  bundle_id:
    description:
      - Only the WorkSpaces created from this bundle.
    type: str
  tags:
    description:
      - Only the WorkSpaces that carry all of these tags, with these values.
      - The WorkSpaces API cannot filter on tags, so this costs one C(DescribeTags) call per
        WorkSpace left by the other selectors.
      - Must name at least one tag. Values are strings; quote V(true), V(false) and numbers
        with a decimal point, which YAML would otherwise turn into other types.
    type: dict
notes:
  - Selectors given together combine with AND. C(DescribeWorkspaces) accepts only one filter
    at a time, so the module sends the narrowest one to AWS and applies the others itself.
"""
