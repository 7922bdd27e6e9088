"""Dependencies point down only: import-linter's contracts ([tool.importlinter] in pyproject.toml) hold.

`make lint` runs the same contracts; this runs them with the suite, so a violation fails pytest too.
(tests/web/test_layering.py checks the other rule about layers: pages never query models directly.)
"""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import iptriad

ROOT = Path(iptriad.__file__).parent.parent.parent
# Next to this interpreter, like the iptriad command in tests/test_settings.py. A process of its own: the
# in-process entry point reconfigures logging, which would silence the loggers other tests read.
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def _layered_modules() -> set[str]:
    """Every module a layers contract names: the layer "audit" of the container "iptriad" is `iptriad.audit`."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    named: set[str] = set()
    for contract in contracts:
        if contract["type"] == "layers":
            for layer in contract["layers"]:
                # One layer may hold several modules, independent (a | b) or not (a : b); "(a)" is optional.
                names = [name.strip().strip("()") for name in re.split(r"[|:]", layer)]
                named.update(f"{container}.{name}" for container in contract["containers"] for name in names)
    return named


def test_the_import_contracts_are_kept():
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [LINT_IMPORTS, "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_part_of_iptriad_has_a_layer():
    top_level = {f"iptriad.{module.name}" for module in pkgutil.iter_modules(iptriad.__path__)}
    assert top_level >= {"iptriad.core", "iptriad.web", "iptriad.home", "iptriad.settings"}
    assert top_level - _layered_modules() == set(), "give each a layer in [tool.importlinter] (pyproject.toml)"
