# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's execution environment metadata, read as ansible-builder reads it, and the
example execution environment of docs/execution-environment/ turned into a build context.

ansible-builder installs the collections and introspects them only while it builds the image
(in a container); `ansible-builder create` writes the build context, with the introspection
as a step of its Containerfile. So the checks are: what `create` writes, and that step's own
script (the context's _build/scripts/introspect.py), like `ansible-builder introspect`, run
on the collection installed from its tarball."""

from __future__ import annotations

import re
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml
from bindep.depends import Depends
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from .conftest import BIN
from .conftest import ROOT

EE_DIR = ROOT / "docs" / "execution-environment"
COLLECTION_LINES = {
    "python": [f"{line}  # from collection euc.workspaces" for line in ("botocore>=1.34.135", "boto3>=1.34.135")],
}


def _requirements_txt() -> list[str]:
    return [line for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build context `ansible-builder create` writes for the example."""
    context = tmp_path_factory.mktemp("ee") / "context"
    subprocess.run(
        [
            BIN / "ansible-builder",
            "create",
            "--file",
            str(EE_DIR / "execution-environment.yml"),
            "--context",
            str(context),
            "--output-filename",
            "Containerfile",
        ],
        check=True,
    )
    return context


def test_the_tarball_carries_the_metadata(tarball: Path) -> None:
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
        meta = yaml.safe_load(archive.extractfile("meta/execution-environment.yml").read())  # type: ignore[union-attr]
    assert meta == {"version": 1, "dependencies": {"python": "requirements.txt", "system": "bindep.txt"}}
    assert {"meta/execution-environment.yml", "requirements.txt", "bindep.txt"} <= names


def test_bindep_txt_is_valid_bindep_and_asks_for_no_package() -> None:
    # bindep's own parser; the modules need nothing beyond Python (see the file's comments)
    rules = Depends((ROOT / "bindep.txt").read_text(encoding="utf-8"))
    assert rules.profiles() == []
    assert rules._rules == []  # pylint: disable=protected-access


def test_introspect_reads_the_collection_metadata(installed_collections: Path) -> None:
    answer = subprocess.run(
        [BIN / "ansible-builder", "introspect", str(installed_collections)],
        check=True,
        capture_output=True,
        text=True,
    )
    found = yaml.safe_load(answer.stdout)
    print(answer.stdout)
    ours = [line for line in found["python"] if line.endswith("# from collection euc.workspaces")]
    assert ours == COLLECTION_LINES["python"]
    assert [line.split("  #")[0] for line in ours] == _requirements_txt()
    # amazon.aws's are there too (its requirements.txt and bindep.txt, no metadata file)
    assert any(line.endswith("# from collection amazon.aws") for line in found["python"])
    assert [line for line in found.get("system") or [] if "euc.workspaces" in line] == []


def test_create_writes_the_build_context(context: Path) -> None:
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    print(containerfile)
    # the collections of requirements.yml beside the example, copied into the context
    assert (context / "_build" / "requirements.yml").read_text(encoding="utf-8") == (EE_DIR / "requirements.yml").read_text(encoding="utf-8")
    collections = yaml.safe_load((context / "_build" / "requirements.yml").read_text(encoding="utf-8"))["collections"]
    assert [collection["name"] for collection in collections] == ["amazon.aws", "euc.workspaces"]
    # the steps: ansible-core and ansible-runner, the collections, the introspection of
    # their requirements, the pip and bindep installs of what it found
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="([^"]*)"$', containerfile, flags=re.MULTILINE)
    assert refs and sorted(refs.group(1).split()) == ["ansible-core==2.19.14", "ansible-runner==2.4.3"]
    for step in (
        "RUN $PYCMD -m pip install --no-cache-dir $ANSIBLE_INSTALL_REFS",
        "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml",
        "RUN $PYCMD /output/scripts/introspect.py introspect --write-bindep=/tmp/src/bindep.txt --write-pip=/tmp/src/requirements.txt",
        "RUN /output/scripts/assemble",
        "RUN /output/scripts/check_ansible $PYCMD",
        "RUN /output/scripts/install-from-bindep",
    ):
        assert step in containerfile, step
    for script in ("introspect.py", "assemble", "install-from-bindep", "check_ansible", "check_galaxy"):
        assert (context / "_build" / "scripts" / script).is_file(), script


def test_the_versions_of_the_example_fit_the_collection(context: Path) -> None:
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    core = Version(re.search(r"ansible-core==([0-9.]+)", containerfile).group(1))  # type: ignore[union-attr]
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    assert core in SpecifierSet(runtime["requires_ansible"])
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))
    collections = yaml.safe_load((EE_DIR / "requirements.yml").read_text(encoding="utf-8"))["collections"]
    versions = {collection["name"]: collection["version"] for collection in collections}
    assert versions["amazon.aws"] == galaxy["dependencies"]["amazon.aws"]
    assert Version(galaxy["version"]) in SpecifierSet(versions["euc.workspaces"])


def test_the_build_stage_introspection_finds_the_collection_requirements(context: Path, installed_collections: Path, tmp_path: Path) -> None:
    # the builder stage's step, with the collections where the galaxy stage put them
    pip, bindep = tmp_path / "requirements.txt", tmp_path / "bindep.txt"
    subprocess.run(
        [
            BIN / "python",
            context / "_build" / "scripts" / "introspect.py",
            "introspect",
            str(installed_collections),
            f"--write-pip={pip}",
            f"--write-bindep={bindep}",
        ],
        check=True,
    )
    written = pip.read_text(encoding="utf-8").splitlines()
    assert [line for line in written if "euc.workspaces" in line] == COLLECTION_LINES["python"]
    # what install-from-bindep gets: amazon.aws's test-only packages, nothing of ours
    system = bindep.read_text(encoding="utf-8").splitlines() if bindep.exists() else []
    assert [line for line in system if "euc.workspaces" in line] == []
