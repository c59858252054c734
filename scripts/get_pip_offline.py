# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for the get-pip bootstrap script that ansible-test downloads.

ansible-test creates its virtual environments without pip and then runs a
cached ``get-pip`` script in them, fetched from a host that is not always
reachable. With OFFLINE_GET_PIP=1 (opt-in), scripts/test installs this file in
ansible-test's cache under the name it looks for. It bootstraps pip with the standard library's ensurepip and
then installs the requested packages (``pip==<version>``) from the configured
package index, accepting the same arguments as get-pip.
"""

from __future__ import annotations

import subprocess
import sys

# get-pip options that are not pip options
GET_PIP_ONLY_OPTIONS = frozenset(("--no-setuptools", "--no-wheel"))


def main() -> int:
    """Bootstrap pip, then install the packages given on the command line."""
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], check=True, stdout=subprocess.DEVNULL)
    if args:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet"] + args, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
