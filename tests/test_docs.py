"""Docs as a tested contract: every setting and every command is documented, and the README opens right."""

from __future__ import annotations

import re
from pathlib import Path

import iptriad
from iptriad.cli import COMMAND_ALIASES

SRC = Path(iptriad.__file__).parent
ROOT = SRC.parent.parent
README = (ROOT / "README.md").read_text()
CONFIGURATION = (ROOT / "docs" / "operators" / "configuration.md").read_text()


def test_every_environment_variable_is_documented():
    read_in_code = {name for path in SRC.rglob("*.py") for name in re.findall(r"IPTRIAD_[A-Z_]+", path.read_text())}
    assert read_in_code, "the search for IPTRIAD_ names found nothing"
    assert {name for name in read_in_code if name not in CONFIGURATION} == set()


def test_every_iptriad_command_is_in_the_readme():
    spelt = {module: name for name, module in COMMAND_ALIASES.items()}  # rotate_keys is typed rotate-keys
    commands = {spelt.get(path.stem, path.stem) for path in SRC.glob("*/management/commands/*.py")}
    commands.discard("__init__")
    assert commands >= {"serve", "demo", "createorg", "adduser"}
    assert {command for command in commands if f"iptriad {command}" not in README} == set()


def test_the_readme_opens_with_the_two_commands():
    first_block = README.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make run", "make test"]


def test_every_decision_record_has_a_title():
    decisions = sorted((ROOT / "docs" / "decisions").glob("*.md"))
    assert decisions
    assert all(path.read_text().startswith("# ") for path in decisions)


def test_every_instrument_is_documented():
    from iptriad.core.instruments import instruments

    documented = (ROOT / "docs" / "instruments.md").read_text()
    assert {code for code in instruments() if f"`{code}`" not in documented} == set()
