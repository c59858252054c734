# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a module's real main() with given arguments and read the JSON it prints."""

from __future__ import annotations

import json
import typing as t

import pytest

from ansible.module_utils.common import warnings

from ...helpers.ansible_module import ModuleRun
from ...helpers.ansible_module import RunModule
from ...helpers.ansible_module import patch_module_args


@pytest.fixture
def run_module(capsys: pytest.CaptureFixture[str]) -> RunModule:
    """Call main() as Ansible would, with check and diff mode as given; main() always exits."""

    def run(main: t.Callable[[], None], args: dict[str, t.Any], check_mode: bool = False, diff: bool = False) -> ModuleRun:
        capsys.readouterr()
        # Warnings are kept process-wide until a module exits; runs in one process must not share them.
        for pending in ("_global_warnings", "_global_deprecations"):
            getattr(warnings, pending, {}).clear()
        internal = {"_ansible_check_mode": check_mode, "_ansible_diff": diff}
        with patch_module_args({**args, **internal}), pytest.raises(SystemExit) as exit_info:
            main()
        return ModuleRun(rc=int(exit_info.value.code or 0), result=json.loads(capsys.readouterr().out))

    return run
