# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Running a module's real main() in-process, the way community.hashi_vault's unit tests do."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import typing as t
from unittest import mock

from ansible.module_utils import basic

from .fake_workspaces import FakeWorkspacesClient

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19

    @contextlib.contextmanager  # type: ignore[no-redef]
    def patch_module_args(args: dict[str, t.Any] | None = None) -> t.Iterator[None]:
        serialized = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode()
        with mock.patch.object(basic, "_ANSIBLE_ARGS", serialized):
            yield


__all__ = ["ClientFactory", "ModuleRun", "RunModule", "patch_module_args"]


@dataclasses.dataclass
class ModuleRun:
    """How main() ended: its exit code and the result it printed."""

    rc: int
    result: dict[str, t.Any]

    @property
    def failed(self) -> bool:
        return bool(self.result.get("failed"))

    @property
    def warnings(self) -> list[str]:
        """The warning texts: plain strings before ansible-core 2.19, WarningSummary events since."""
        return [w if isinstance(w, str) else w["event"]["msg"] for w in self.result.get("warnings", [])]


class ClientFactory:
    """Stands in for workspaces_client(): hands out the fake and records what was asked."""

    def __init__(self, fake: FakeWorkspacesClient) -> None:
        self.fake = fake
        self.max_concurrency: list[int] = []

    def __call__(self, module: t.Any, max_concurrency: int) -> FakeWorkspacesClient:
        self.max_concurrency.append(max_concurrency)
        return self.fake


RunModule = t.Callable[..., ModuleRun]
