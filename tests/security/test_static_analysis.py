"""Static security analysis of the source: bandit finds nothing of medium or high severity (as `bandit -r src -ll`,
which `make security` runs too), and a silenced finding names its bandit test and says why. The judge of the
dependency audit (tests/security/dependency_audit.py) does not mistake an audit that audited nothing for a pass, and
its fallback on PyPI's per-project JSON audits only the pins that data is conclusive about (fixture JSON, no network).
"""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
import warnings
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from tests.security import dependency_audit
from tests.security.dependency_audit import judge, skipped_pins

# The source, the pins and the advisories: no database is read.
pytestmark = pytest.mark.database_independent

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


def _skipped(name: str, version: str) -> dict[str, Any]:
    """A pin pip-audit skipped as it does when PyPI's per-release JSON answers 404."""
    return {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} ({version})"}


def _file(version: str, *, yanked: bool = False, reason: str | None = None) -> dict[str, Any]:
    return {
        "filename": f"pkg-{version}-py3-none-any.whl",
        "packagetype": "bdist_wheel",
        "yanked": yanked,
        "yanked_reason": reason,
    }


def _project(
    newest: str,
    *releases: str,
    vulnerabilities: list[dict[str, Any]] | None = None,
    yanked: dict[str, str] | None = None,
) -> dict[str, Any]:
    """PyPI's per-project JSON (https://pypi.org/pypi/<name>/json), trimmed to what the judge reads."""
    yanked = yanked or {}
    files = {
        version: [_file(version, yanked=version in yanked, reason=yanked.get(version))]
        for version in (*releases, newest)
    }
    return {
        "info": {"name": "pkg", "version": newest, "yanked": newest in yanked},
        "releases": files,
        "urls": files[newest],
        "vulnerabilities": vulnerabilities or [],
        "last_serial": 1,
    }


ADVISORY: dict[str, Any] = {
    "aliases": ["CVE-2026-1234"],
    "details": "A crafted request could ...",
    "fixed_in": ["3.1.10"],
    "id": "GHSA-abcd-efgh-ijkl",
    "link": "https://osv.dev/vulnerability/GHSA-abcd-efgh-ijkl",
    "source": "osv",
    "summary": None,
    "withdrawn": None,
}
WITHDRAWN: dict[str, Any] = {**ADVISORY, "id": "PYSEC-2026-9", "aliases": [], "withdrawn": "2026-11-01T00:00:00Z"}

CLEAN: dict[str, Any] = {"name": "django", "version": "5.2.19", "vulns": []}
VULNERABLE: dict[str, Any] = {
    "name": "django",
    "version": "4.2.0",
    "vulns": [{"id": "PYSEC-2023-100", "fix_versions": ["4.2.2"], "aliases": [], "description": ""}],
}
UNKNOWN = _skipped("pygal", "3.1.3")


def test_the_audit_fails_on_a_known_vulnerability_and_names_the_fix():
    verdict = judge(_report(CLEAN, VULNERABLE))
    assert not verdict.passes(require_audit=False)
    assert "VULNERABLE django 4.2.0: PYSEC-2023-100 (fixed in 4.2.2)" in "\n".join(verdict.lines())


def test_the_audit_passes_when_every_pin_was_audited_clean():
    verdict = judge(_report(CLEAN))
    assert verdict.passes(require_audit=True)
    assert verdict.lines()[0] == (
        "dependency audit: 1 of 1 pins audited (pip-audit: 1, PyPI project data: 0); findings: 0"
    )


@pytest.mark.parametrize("require_audit", [False, True])
def test_an_audit_that_audited_nothing_says_so(require_audit: bool):
    verdict = judge(_report(UNKNOWN))
    text = "\n".join(verdict.lines())
    assert "0 of 1 pins audited" in text
    assert "WARNING: nothing was audited" in text
    assert verdict.passes(require_audit=require_audit) is not require_audit


def test_a_skipped_pin_that_is_the_newest_release_is_audited_from_pypis_project_data():
    verdict = judge(_report(CLEAN, UNKNOWN), {"pygal": _project("3.1.3", "3.1.2", vulnerabilities=[WITHDRAWN])})
    assert verdict.audited_by_pypi == ["pygal 3.1.3"]
    assert not verdict.unaudited
    assert not verdict.findings  # a withdrawn advisory is no finding
    assert verdict.passes(require_audit=True)
    assert verdict.lines()[0] == (
        "dependency audit: 2 of 2 pins audited (pip-audit: 1, PyPI project data: 1); findings: 0"
    )


def test_an_advisory_on_the_newest_release_fails_and_names_its_id_aliases_and_fix():
    verdict = judge(_report(_skipped("werkzeug", "3.1.9")), {"werkzeug": _project("3.1.9", vulnerabilities=[ADVISORY])})
    assert verdict.audited_by_pypi == ["werkzeug 3.1.9"]
    assert verdict.findings == [
        "VULNERABLE werkzeug 3.1.9: GHSA-abcd-efgh-ijkl [aliases CVE-2026-1234] (fixed in 3.1.10)"
    ]
    assert not verdict.passes(require_audit=False)


def test_an_older_pin_is_not_audited_from_the_newest_releases_advisories():
    # The advisories describe 6.1.3 only: they can neither clear 5.2.19 nor condemn it.
    verdict = judge(
        _report(_skipped("django", "5.2.19")), {"django": _project("6.1.3", "5.2.19", vulnerabilities=[ADVISORY])}
    )
    assert not verdict.audited
    assert not verdict.findings
    assert verdict.unaudited == [
        "django 5.2.19: not the newest release (newest 6.1.3); PyPI's advisories describe the newest only"
    ]
    assert verdict.passes(require_audit=False)
    assert not verdict.passes(require_audit=True)


@pytest.mark.parametrize(("pin", "newest"), [("2.0.1", "2.1.0"), ("2.1.0", "2.1.0")])
def test_a_yanked_pin_is_a_finding_whether_or_not_it_is_the_newest(pin: str, newest: str):
    project = _project(newest, "2.0.1", yanked={pin: "broken wheel"})
    verdict = judge(_report(_skipped("anyio", pin)), {"anyio": project})
    assert verdict.findings == [f"YANKED anyio {pin}: the release is yanked on PyPI (broken wheel)"]
    assert not verdict.passes(require_audit=False)


def test_a_pin_spelled_otherwise_than_pypi_is_the_same_release():
    verdict = judge(_report(_skipped("django-csp", "4.0")), {"django-csp": _project("4.0.0")})
    assert verdict.audited_by_pypi == ["django-csp 4.0"]


def test_a_pin_pypi_does_not_list_is_not_audited():
    verdict = judge(_report(_skipped("qrcode", "8.1")), {"qrcode": _project("8.2")})
    assert verdict.unaudited == ["qrcode 8.1: PyPI lists no release 8.1 (newest 8.2)"]


def test_a_package_whose_project_data_could_not_be_had_is_not_audited():
    verdict = judge(_report(UNKNOWN, CLEAN), {"pygal": "PyPI's project data answered HTTP 503"})
    assert verdict.unaudited == ["pygal 3.1.3: pip-audit skipped it and PyPI's project data answered HTTP 503"]
    assert verdict.passes(require_audit=False)
    assert not verdict.passes(require_audit=True)


def test_only_the_skipped_pins_whose_version_pip_audit_names_are_looked_up():
    editable = {"name": "iptriad", "skip_reason": "requirement marked as editable"}
    assert skipped_pins(_report(CLEAN, UNKNOWN, editable)) == [("pygal", "3.1.3")]
    verdict = judge(_report(editable), {})
    assert verdict.unaudited == ["iptriad: requirement marked as editable"]


def _run_main(monkeypatch: pytest.MonkeyPatch, report: dict[str, Any], projects: dict[str, Any], *argv: str) -> int:
    asked: list[str] = []

    def fetch(name: str) -> Any:
        asked.append(name)
        return projects[name]

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(report)))
    status = dependency_audit.main(list(argv), fetch=fetch)
    assert sorted(asked) == sorted(projects)  # PyPI is asked about the skipped pins only
    return status


def test_main_passes_a_partial_audit_and_fails_it_when_an_audit_is_required(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    report = _report(CLEAN, UNKNOWN, _skipped("mypy", "1.19.1"))
    projects = {"pygal": _project("3.1.3"), "mypy": _project("2.4.1", "1.19.1")}
    assert _run_main(monkeypatch, report, projects) == 0
    out = capsys.readouterr().out
    assert "dependency audit: 2 of 3 pins audited (pip-audit: 1, PyPI project data: 1); findings: 0" in out
    assert "mypy 1.19.1: not the newest release (newest 2.4.1)" in out
    assert "WARNING: 1 pins not audited" in out
    assert _run_main(monkeypatch, report, projects, "--require-audit") == 1
    assert "FAILED: 1 pins not audited and --require-audit" in capsys.readouterr().out


def test_main_fails_on_a_finding(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    projects = {"pygal": _project("3.1.3", vulnerabilities=[ADVISORY])}
    assert _run_main(monkeypatch, _report(UNKNOWN), projects) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE pygal 3.1.3: GHSA-abcd-efgh-ijkl" in out
    assert "FAILED: 1 findings" in out


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (urllib.error.HTTPError("https://pypi.org/pypi/x/json", 404, "Not Found", Message(), None), "HTTP 404"),
        (urllib.error.URLError("unreachable"), "URLError"),
        (TimeoutError("timed out"), "TimeoutError"),
    ],
)
def test_a_failed_request_is_that_packages_reason_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, error: Exception, reason: str
):
    def urlopen(*args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    found = dependency_audit.fetch_project("pygal")
    assert isinstance(found, str)
    assert reason in found
