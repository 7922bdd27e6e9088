"""Static security analysis of the source: bandit finds nothing of medium or high severity (as `bandit -r src -ll`,
which `make security` runs too), and a silenced finding names its bandit test and says why. The judge of the
dependency audit (tests/security/dependency_audit.py) does not mistake an audit that audited nothing for a pass.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.security.dependency_audit import judge

with warnings.catch_warnings():
    # bandit 1.9.4 loads its plugins with an argument that stevedore has deprecated: harmless, and not ours to fix.
    warnings.filterwarnings("ignore", "The verify_requirements argument", DeprecationWarning)
    from bandit.core import config as bandit_config  # type: ignore[import-untyped]
    from bandit.core import constants as bandit_constants
    from bandit.core import manager as bandit_manager

SOURCE = Path(__file__).resolve().parents[2] / "src"
# bandit reads its test ids up to the next "#", so the reason follows as a comment of its own.
JUSTIFIED_NOSEC = re.compile(r"#\s*nosec\s+B\d{3}(?:\s*,\s*B\d{3})*\s+#\s*\S.{9,}")


def test_bandit_finds_nothing_of_medium_or_high_severity():
    manager = bandit_manager.BanditManager(bandit_config.BanditConfig(), "file", quiet=True)
    manager.discover_files([str(SOURCE)], recursive=True)
    assert len(manager.files_list) > 100
    manager.run_tests()
    assert not manager.skipped, manager.skipped  # a file bandit could not parse is a file not checked
    issues = manager.get_issue_list(sev_level=bandit_constants.MEDIUM, conf_level=bandit_constants.LOW)
    found = [f"{issue.fname}:{issue.lineno} {issue.test_id} {issue.text}" for issue in issues]
    assert not found, "\n".join(found)


def test_every_silenced_finding_names_its_test_and_a_reason():
    unexplained = []
    for path in SOURCE.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"#\s*nosec", line) and not JUSTIFIED_NOSEC.search(line):
                unexplained.append(f"{path.relative_to(SOURCE)}:{number}: {line.strip()}")
    assert not unexplained, "write '# nosec BXXX  # why it is safe':\n" + "\n".join(unexplained)


def _report(*dependencies: dict[str, Any]) -> dict[str, Any]:
    return {"dependencies": list(dependencies), "fixes": []}


CLEAN: dict[str, Any] = {"name": "django", "version": "5.2.19", "vulns": []}
VULNERABLE: dict[str, Any] = {
    "name": "django",
    "version": "4.2.0",
    "vulns": [{"id": "PYSEC-2023-100", "fix_versions": ["4.2.2"], "aliases": [], "description": ""}],
}
UNKNOWN: dict[str, Any] = {
    "name": "pygal",
    "version": "3.1.3",
    "skip_reason": "Dependency not found on PyPI and could not be audited",
}


def test_the_audit_fails_on_a_known_vulnerability_and_names_the_fix():
    verdict = judge(_report(CLEAN, VULNERABLE))
    assert not verdict.passes(require_audit=False)
    assert "VULNERABLE django 4.2.0: PYSEC-2023-100 (fixed in 4.2.2)" in "\n".join(verdict.lines())


def test_the_audit_passes_when_every_pin_was_audited_clean():
    verdict = judge(_report(CLEAN))
    assert verdict.passes(require_audit=True)
    assert verdict.lines()[0] == "pip-audit: 1 of 1 pinned packages audited"


@pytest.mark.parametrize("require_audit", [False, True])
def test_an_audit_that_audited_nothing_says_so(require_audit: bool):
    verdict = judge(_report(UNKNOWN))
    text = "\n".join(verdict.lines())
    assert "0 of 1 pinned packages audited" in text
    assert "WARNING: nothing was audited" in text
    assert verdict.passes(require_audit=require_audit) is not require_audit
