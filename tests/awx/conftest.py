# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures of the AWX and execution environment checks (`scripts/test awx`).

They work on the collection as a user gets it: the Galaxy tarball (EUC_WORKSPACES_TARBALL,
built by scripts/test; else built here), installed with ansible-galaxy into a collections
directory beside the amazon.aws of this environment, as an execution environment holds them.
The WorkSpaces simulator comes from its pytest plugin (``simulator``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The collection's Galaxy tarball."""
    given = os.environ.get("EUC_WORKSPACES_TARBALL")
    if given:
        return Path(given)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([BIN / "ansible-galaxy", "collection", "build", str(ROOT), "--output-path", str(dist)], check=True)
    return next(dist.glob("euc-workspaces-*.tar.gz"))


@pytest.fixture(scope="session")
def installed_collections(tmp_path_factory: pytest.TempPathFactory, tarball: Path) -> Path:
    """A collections directory (holding ansible_collections/) with euc.workspaces installed
    from the tarball and this environment's amazon.aws beside it."""
    collections = tmp_path_factory.mktemp("collections")
    # --no-deps: Galaxy is out of reach; amazon.aws is linked in below.
    subprocess.run(
        [BIN / "ansible-galaxy", "collection", "install", "--no-deps", "-p", str(collections), str(tarball)],
        check=True,
        env={**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(collections)},
    )
    amazon = Path(sysconfig.get_paths()["purelib"], "ansible_collections", "amazon", "aws")
    (collections / "ansible_collections" / "amazon").mkdir()
    (collections / "ansible_collections" / "amazon" / "aws").symlink_to(amazon, target_is_directory=True)
    return collections


def survey_extra_vars(survey: Mapping[str, Any], template_vars: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The extra variables AWX gives a job launched from a job template with this survey:
    the template's extra variables, the survey's answers (each question pre-filled with its
    default, as the launch form shows it), answers checked as AWX checks them."""
    extra_vars = dict(template_vars)
    for question in survey["spec"]:
        variable, kind = question["variable"], question["type"]
        if variable in answers:
            value = answers[variable]
        elif "default" in question:
            value = question["default"]
            if kind == "multiselect":
                value = [line for line in value.splitlines() if line]
        elif question["required"]:
            raise AssertionError(f"AWX refuses the launch: {variable} value missing")
        else:
            continue
        choices = question.get("choices", [])
        choices = [line for line in choices.splitlines() if line] if isinstance(choices, str) else choices
        if kind == "multiplechoice":
            assert value in choices, (variable, value)
        elif kind == "multiselect":
            assert isinstance(value, list) and set(value) <= set(choices), (variable, value)
        elif kind == "integer":
            # AWX wants an int, and a bool is none
            assert isinstance(value, int) and not isinstance(value, bool) and question["min"] <= value <= question["max"], (variable, value)
        elif kind in ("text", "textarea"):
            assert isinstance(value, str), (variable, value)
            assert question.get("min") in ("", None) or len(value) >= question["min"], (variable, value)
            assert question.get("max") in ("", None) or len(value) <= question["max"], (variable, value)
        extra_vars[variable] = value
    return extra_vars


def load_survey(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "docs" / "awx" / "surveys" / f"{name}.json").read_text(encoding="utf-8"))
