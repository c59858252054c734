# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The attributes every module of the collection shares."""

from __future__ import annotations


class ModuleDocFragment:
    """The action group of module_defaults."""

    DOCUMENTATION = r"""
attributes:
  action_group:
    description: Use C(group/euc.workspaces.workspaces) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - euc.workspaces.workspaces
"""
