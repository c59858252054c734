# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWX survey specs of docs/awx/surveys/ ask for the runbooks' own variables, as the
runbooks accept them, and the AWX project playbooks of docs/awx/project/ import the
runbooks (as the integration targets' job template playbooks do)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RUNBOOKS = ("rebuild_unhealthy", "recover_unhealthy")
# The question types AWX's survey spec knows.
SURVEY_TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}
# What a question of each type gives the playbook: multiplechoice a string, multiselect a list.
QUESTION_KEYS = {"question_name", "question_description", "required", "type", "variable"}


def _survey(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "docs" / "awx" / "surveys" / f"{name}.json").read_text(encoding="utf-8"))


def _runbook_text(name: str) -> str:
    return (ROOT / "playbooks" / f"{name}.yml").read_text(encoding="utf-8")


def _runbook_play(name: str) -> dict[str, Any]:
    return yaml.safe_load(_runbook_text(name))[0]


def _documented(name: str) -> set[str]:
    """The variables the runbook's header describes, one a line: `#   workspaces_x   what`."""
    found: set[str] = set()
    for line in _runbook_text(name).splitlines():
        match = re.match(r"#\s+(workspaces_[a-z_]+(?:, workspaces_[a-z_]+)*)\s{2,}\S", line)
        if match:
            found.update(part.strip() for part in match.group(1).split(","))
    return found


def _guide_variables(name: str) -> set[str]:
    """The variables of the guide's table (``* - ``workspaces_x```` rows)."""
    guide = {"rebuild_unhealthy": "guide_rebuild.rst", "recover_unhealthy": "guide_recover.rst"}[name]
    text = (ROOT / "docs" / "docsite" / "rst" / guide).read_text(encoding="utf-8")
    return set(re.findall(r"^  \* - ``(workspaces_[a-z_]+)``$", text, flags=re.MULTILINE))


def _questions(name: str) -> dict[str, dict[str, Any]]:
    return {question["variable"]: question for question in _survey(name)["spec"]}


def _choices(question: dict[str, Any]) -> list[str]:
    """AWX takes the choices as a list or as one string of lines."""
    choices = question["choices"]
    return [line for line in choices.splitlines() if line.strip()] if isinstance(choices, str) else list(choices)


def _module_option_choices(module: str, option: str) -> list[str]:
    source = (ROOT / "plugins" / "modules" / f"{module}.py").read_text(encoding="utf-8")
    documentation = re.search(r'^DOCUMENTATION = r"""(.*?)^"""', source, flags=re.MULTILINE | re.DOTALL)
    assert documentation, f"no DOCUMENTATION in {module}"
    return list(yaml.safe_load(documentation.group(1))["options"][option]["choices"])


@pytest.mark.parametrize("name", RUNBOOKS)
def test_the_survey_is_a_valid_awx_survey_spec(name: str) -> None:
    survey = _survey(name)
    assert survey["name"] and survey["description"]
    variables = [question["variable"] for question in survey["spec"]]
    assert len(variables) == len(set(variables)), variables
    for question in survey["spec"]:
        assert QUESTION_KEYS <= set(question), question
        assert question["type"] in SURVEY_TYPES, question
        assert isinstance(question["required"], bool), question
        if question["type"] == "multiplechoice":
            assert question.get("default") in _choices(question), question
        if question["type"] == "multiselect":
            assert set(question["default"].splitlines()) <= set(_choices(question)), question
        if question["type"] == "integer" and "default" in question:
            assert isinstance(question["default"], int), question
            assert question["min"] <= question["default"] <= question["max"], question


@pytest.mark.parametrize("name", RUNBOOKS)
def test_every_survey_variable_is_one_the_runbook_documents(name: str) -> None:
    asked = set(_questions(name))
    play_vars = set(_runbook_play(name)["vars"])
    assert asked - _documented(name) == set(), "asked for, but not described in the runbook's header"
    assert asked - _guide_variables(name) == set(), "asked for, but not in the guide's table of variables"
    # every one but workspaces_directory_id (unset: every directory) has a default in the play
    assert asked - play_vars <= {"workspaces_directory_id"}


@pytest.mark.parametrize("name", RUNBOOKS)
def test_the_gate_is_asked_for_and_closed_by_default(name: str) -> None:
    questions = _questions(name)
    acknowledge = questions.get("workspaces_acknowledge")
    assert acknowledge is not None, "the survey must ask for workspaces_acknowledge"
    assert acknowledge["required"] is True
    assert acknowledge["type"] == "multiplechoice"
    assert acknowledge["default"] == "false"
    assert sorted(_choices(acknowledge)) == ["false", "true"]
    # the relaunch safety: the incident number is asked for and cannot be left empty
    token = questions["workspaces_idempotency_token"]
    assert token["required"] is True and token["type"] == "text" and token["min"] >= 1


@pytest.mark.parametrize("name", RUNBOOKS)
def test_each_answer_is_one_the_runbook_accepts(name: str) -> None:
    play_vars = _runbook_play(name)["vars"]
    boolean_words = set(play_vars["workspaces_boolean_words"])
    for variable, question in _questions(name).items():
        default = play_vars.get(variable)
        if isinstance(default, bool):
            # a multiple choice of the boolean words the runbook's first task accepts, its
            # default the runbook's own
            assert question["type"] == "multiplechoice", variable
            assert set(_choices(question)) <= boolean_words, variable
            assert question["default"] == str(default).lower(), variable
        elif variable == "workspaces_max":
            assert question["type"] == "integer" and question["min"] >= 1
            assert question["default"] == default
        elif variable == "workspaces_states":
            # a list (multiselect) of the states the rebuild module accepts
            assert question["type"] == "multiselect"
            assert set(_choices(question)) <= set(_module_option_choices("workspace_rebuild", "states"))
            assert question["default"].splitlines() == default
        elif variable == "workspaces_idempotency_token":
            # the module takes 1 to 128 characters; recover_unhealthy adds a suffix of its own
            limit = re.search(r"workspaces_idempotency_token \| string \| length <= ([0-9]+)", _runbook_text(name))
            assert question["max"] <= (int(limit.group(1)) if limit else 128)
        elif variable == "workspaces_directory_id":
            # optional: left empty, the runbook looks at every directory
            assert question["type"] == "text" and question["required"] is False
            assert "default" not in question
            assert "workspaces_directory_id | default(omit, true)" in _runbook_text(name)
        else:
            pytest.fail(f"no rule for the survey variable {variable}")


@pytest.mark.parametrize("name", RUNBOOKS)
def test_the_project_playbook_imports_the_runbook(name: str) -> None:
    project_playbook = ROOT / "docs" / "awx" / "project" / f"{name}.yml"
    plays = yaml.safe_load(project_playbook.read_text(encoding="utf-8"))
    assert [play["ansible.builtin.import_playbook"] for play in plays] == [f"euc.workspaces.{name}"]
    # the integration target runs the same file as the job template's playbook
    target_copy = ROOT / "tests" / "integration" / "targets" / name / "playbooks" / "awx_job.yml"
    assert target_copy.read_text(encoding="utf-8") == project_playbook.read_text(encoding="utf-8")
