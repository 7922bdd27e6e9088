"""Judge pip-audit's JSON report of the pinned dependencies (`make security` pipes it here).

pip-audit says "No known vulnerabilities found" and exits 0 also when its vulnerability service knew none of the
packages (PyPI's per-release JSON unreachable, say): nothing was audited, yet it reads as a pass. This says how many
pins were really audited; it fails on any finding and, with --require-audit, on any pin left unaudited.

For every pin pip-audit skipped because PyPI's per-release JSON did not answer, it falls back to PyPI's per-project
JSON (https://pypi.org/pypi/<name>/json). That carries the advisories (PyPA advisory database / OSV) of the newest
release only, so it audits a pin only when the pin is the newest release; an older pin stays "not audited", since
the newest release's advisories say nothing conclusive about it. Its list of releases says whether the pin was
yanked, which is a finding whatever the pin's age.

    pip-audit -r requirements/constraints.txt --disable-pip --no-deps -f json \
        | python -m tests.security.dependency_audit [--require-audit]
"""

from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from packaging.version import InvalidVersion, Version

PYPI_PROJECT_JSON = "https://pypi.org/pypi/{name}/json"
TIMEOUT_SECONDS = 20
CONCURRENT_REQUESTS = 4
# pip-audit's skip reason when PyPI's per-release JSON answered 404: "... could not be audited: django (5.2.19)".
SKIPPED_VERSION = re.compile(r"\(([^()\s]+)\)\s*$")

# What the per-project JSON of a package became: the decoded document, or why there is none.
ProjectData = dict[str, Any] | str


@dataclass(frozen=True)
class Verdict:
    audited_by_pip_audit: list[str]
    audited_by_pypi: list[str]
    unaudited: list[str]  # "name version: why"
    findings: list[str]  # "VULNERABLE name version: ID ..." or "YANKED name version: ..."

    @property
    def audited(self) -> list[str]:
        return self.audited_by_pip_audit + self.audited_by_pypi

    def passes(self, *, require_audit: bool) -> bool:
        return not self.findings and not (require_audit and self.unaudited)

    def lines(self) -> list[str]:
        total = len(self.audited) + len(self.unaudited)
        by_pip_audit, by_pypi = len(self.audited_by_pip_audit), len(self.audited_by_pypi)
        found = [
            f"dependency audit: {len(self.audited)} of {total} pins audited"
            f" (pip-audit: {by_pip_audit}, PyPI project data: {by_pypi}); findings: {len(self.findings)}"
        ]
        found += [f"  {entry}" for entry in self.findings]
        if not self.audited and self.unaudited:
            found.append("  WARNING: nothing was audited; the vulnerability service could not be reached or knew none")
            found.append(f"  e.g. {self.unaudited[0]}")
        elif self.unaudited:
            found.append(f"  not audited: {len(self.unaudited)}")
            found += [f"    {entry}" for entry in self.unaudited]
        if self.audited and not self.findings:
            found.append("  no known vulnerability and no yanked release in the pins audited")
        return found


def skipped_pins(report: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, version) of every pin pip-audit skipped whose version its skip reason names."""
    pins = []
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency and (version := _skipped_version(dependency)):
            pins.append((dependency["name"], version))
    return pins


def fetch_project(name: str) -> ProjectData:
    """PyPI's per-project JSON of `name`, or why it could not be had (one package's failure is that package's)."""
    url = PYPI_PROJECT_JSON.format(name=urllib.parse.quote(name, safe=""))
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (a fixed https URL)
            document = json.load(response)
    except urllib.error.HTTPError as error:
        return f"PyPI's project data answered HTTP {error.code}"
    except (OSError, ValueError) as error:  # URLError, timeouts and resets are OSErrors; bad JSON a ValueError
        return f"PyPI's project data could not be read ({type(error).__name__}: {error})"
    if not isinstance(document, dict) or not isinstance(document.get("info"), dict):
        return "PyPI's project data has no 'info'"
    return document


def fetch_projects(names: Iterable[str], fetch: Callable[[str], ProjectData] = fetch_project) -> dict[str, ProjectData]:
    unique = list(dict.fromkeys(names))
    with ThreadPoolExecutor(max_workers=CONCURRENT_REQUESTS) as pool:
        return dict(zip(unique, pool.map(fetch, unique), strict=True))


def judge(report: Mapping[str, Any], projects: Mapping[str, ProjectData] | None = None) -> Verdict:
    """Judge pip-audit's report; `projects` (PyPI's per-project JSON by package name) audits the pins it skipped."""
    by_pip_audit: list[str] = []
    by_pypi: list[str] = []
    unaudited: list[str] = []
    findings: list[str] = []
    for dependency in report.get("dependencies", []):
        if "skip_reason" not in dependency:
            name = " ".join(filter(None, (dependency["name"], dependency.get("version"))))
            by_pip_audit.append(name)
            for vulnerability in dependency.get("vulns", []):
                fixed = vulnerability.get("fix_versions") or []
                findings.append(f"VULNERABLE {name}: {_advisory(vulnerability['id'], vulnerability, fixed)}")
            continue
        version = _skipped_version(dependency)
        name = " ".join(filter(None, (dependency["name"], version)))
        project = (projects or {}).get(dependency["name"])
        if version is None or project is None:
            unaudited.append(f"{name}: {dependency['skip_reason']}")
            continue
        if isinstance(project, str):
            unaudited.append(f"{name}: pip-audit skipped it and {project}")
            continue
        audited, why_not, found = _judge_from_project(name, version, project)
        findings += found
        if audited:
            by_pypi.append(name)
        else:
            unaudited.append(f"{name}: {why_not}")
    return Verdict(audited_by_pip_audit=by_pip_audit, audited_by_pypi=by_pypi, unaudited=unaudited, findings=findings)


def _judge_from_project(name: str, version: str, project: Mapping[str, Any]) -> tuple[bool, str, list[str]]:
    """(audited, why not, findings) of one pin from its project's PyPI JSON."""
    findings = []
    newest = str(project["info"].get("version") or "")
    releases = project.get("releases")
    files = releases.get(version) if isinstance(releases, dict) else None
    if files is None and isinstance(releases, dict):
        # PyPI's keys are the versions as uploaded; the pin may spell the same version otherwise ("5.0" for "5.0.0").
        files = next((value for key, value in releases.items() if _same_version(key, version)), None)
    if files is None and _same_version(version, newest):
        files = project.get("urls")  # the files of the newest release, should "releases" ever be dropped
    yanked = [file for file in files or [] if file.get("yanked")]
    if yanked:
        reason = next((file.get("yanked_reason") for file in yanked if file.get("yanked_reason")), None)
        findings.append(f"YANKED {name}: the release is yanked on PyPI" + (f" ({reason})" if reason else ""))
    if not newest:
        return False, "PyPI's project data names no newest release", findings
    if not _same_version(version, newest):
        if isinstance(releases, dict) and files is None:
            return False, f"PyPI lists no release {version} (newest {newest})", findings
        return False, f"not the newest release (newest {newest}); PyPI's advisories describe the newest only", findings
    vulnerabilities = project.get("vulnerabilities")
    if not isinstance(vulnerabilities, list):
        return False, "PyPI's project data carries no 'vulnerabilities' list", findings
    for vulnerability in vulnerabilities:
        if not vulnerability.get("withdrawn"):
            fixed = vulnerability.get("fixed_in") or []
            findings.append(f"VULNERABLE {name}: {_advisory(vulnerability.get('id', '?'), vulnerability, fixed)}")
    return True, "", findings


def _advisory(identifier: str, vulnerability: Mapping[str, Any], fixed: list[str]) -> str:
    aliases = [alias for alias in vulnerability.get("aliases") or [] if alias != identifier]
    named = f"{identifier} [aliases {', '.join(aliases)}]" if aliases else identifier
    return f"{named} (fixed in {', '.join(fixed) or 'no fix yet'})"


def _skipped_version(dependency: Mapping[str, Any]) -> str | None:
    if dependency.get("version"):
        return str(dependency["version"])
    match = SKIPPED_VERSION.search(str(dependency.get("skip_reason", "")))
    return match.group(1) if match else None


def _same_version(one: str, other: str) -> bool:
    try:
        return Version(one) == Version(other)
    except InvalidVersion:
        return one == other


def main(argv: list[str], fetch: Callable[[str], ProjectData] = fetch_project) -> int:
    report = json.load(sys.stdin)
    projects = fetch_projects((name for name, _ in skipped_pins(report)), fetch)
    verdict = judge(report, projects)
    sys.stdout.write("\n".join(verdict.lines()) + "\n")
    require_audit = "--require-audit" in argv
    if verdict.findings:
        sys.stdout.write(f"  FAILED: {len(verdict.findings)} findings\n")
    if verdict.unaudited and require_audit:
        sys.stdout.write(f"  FAILED: {len(verdict.unaudited)} pins not audited and --require-audit\n")
    elif verdict.unaudited and verdict.audited:
        sys.stdout.write(f"  WARNING: {len(verdict.unaudited)} pins not audited (--require-audit makes this fail)\n")
    return 0 if verdict.passes(require_audit=require_audit) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
