# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""scripts/demo installs tests/requirements-demo.txt: the same versions scripts/test tests with."""

from __future__ import annotations

from pathlib import Path

REQUIREMENTS_DIR = Path(__file__).resolve().parents[1]


def _pins(name: str) -> dict[str, str]:
    """The package == version pins of a requirements file, by lower-case package name."""
    found = {}
    for line in (REQUIREMENTS_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            package, _equals, version = line.partition("==")
            found[package.lower()] = version
    return found


def test_the_demo_requirements_are_pinned_as_the_test_requirements() -> None:
    demo, full = _pins("requirements-demo.txt"), _pins("requirements.txt")
    assert set(demo) == {"ansible", "ansible-core", "boto3", "botocore", "moto[server]", "pyyaml"}
    assert all(version for version in demo.values()), demo
    assert {package: full.get(package) for package in demo} == demo
