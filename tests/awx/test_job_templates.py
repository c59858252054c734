# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/awx/job_templates.yml uses awx.awx's modules with options they have (no controller
runs here: its tasks are checked against the modules' documented options), and names the
project playbooks and surveys of docs/awx/."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import yaml

from ansible.utils.plugin_docs import read_docstring

from .conftest import ROOT

AWX = ROOT / "docs" / "awx"
AWX_MODULES = Path(sysconfig.get_paths()["purelib"], "ansible_collections", "awx", "awx", "plugins", "modules")
TASK_KEYWORDS = {"name", "loop", "loop_control", "no_log", "register", "when", "vars"}


def test_each_awx_task_uses_options_its_module_has() -> None:
    (play,) = yaml.safe_load((AWX / "job_templates.yml").read_text(encoding="utf-8"))
    used = set()
    for task in play["tasks"]:
        (module,) = set(task) - TASK_KEYWORDS
        assert module.startswith("awx.awx."), module
        options = read_docstring(str(AWX_MODULES / f"{module.rsplit('.', 1)[1]}.py"))["doc"]["options"]
        assert set(task[module]) - set(options) == set(), module
        used.add(module)
    assert {"awx.awx.execution_environment", "awx.awx.credential", "awx.awx.job_template"} <= used


def test_the_job_templates_name_the_project_playbooks_and_surveys() -> None:
    (play,) = yaml.safe_load((AWX / "job_templates.yml").read_text(encoding="utf-8"))
    (templates,) = [task for task in play["tasks"] if "awx.awx.job_template" in task]
    for item in templates["loop"]:
        assert (AWX / "project" / item["playbook"]).is_file(), item
        assert (AWX / "surveys" / item["survey"]).is_file(), item
    (credential,) = [task["awx.awx.credential"] for task in play["tasks"] if "awx.awx.credential" in task]
    assert credential["credential_type"] == "Amazon Web Services"
