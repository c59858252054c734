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
      - Must name at least one tag. Values must be strings; quote V(true), V(false) and every
        number (YAML reads V(0042) as the integer 34 and V(1.0) as a float), or the task fails
        before any API call.
    type: dict
  exclude_tags:
    description:
      - Never act on, nor list, a WorkSpace that carries any one of these tags with that value,
        for example the tag C(NoRebuild) with the value V(true) (quoted) on desktops that must
        never be touched.
      - A WorkSpace named in O(workspace_ids) that carries one is reported V(skipped), with the
        reason, by the action modules.
      - Costs one C(DescribeTags) call per WorkSpace left by the other selectors (shared with O(tags)).
      - Values must be strings, as for O(tags).
    type: dict
notes:
  - Selectors given together combine with AND. C(DescribeWorkspaces) accepts only one filter
    at a time, so the module sends the narrowest one to AWS and applies the others itself.
"""
