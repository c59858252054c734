# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The workspaces inventory plugin's own options with their documented defaults, as Ansible
hands them to the plugin when a configuration file sets none of them."""

from __future__ import annotations

import typing as t

PLUGIN_OPTION_DEFAULTS: dict[str, t.Any] = {
    "regions": [],
    "directory_ids": [],
    "bundle_ids": [],
    "tags": {},
    "exclude_tags": {},
    "states": None,
    "hostnames": ["workspace_id"],
    "include_tags": True,
    "include_connection_status": False,
    "max_concurrency": 10,
    "strict_permissions": True,
    "hostvars_prefix": None,
    "hostvars_suffix": None,
}
