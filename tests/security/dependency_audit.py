"""Judge pip-audit's JSON report of the pinned dependencies (`make security` pipes it here).

pip-audit says "No known vulnerabilities found" and exits 0 also when its vulnerability service knew none of the
packages (PyPI's per-release JSON unreachable, say): nothing was audited, yet it reads as a pass. This says how many
pins were really audited; it fails on any known vulnerability and, with --require-audit, on any pin left unaudited.

    pip-audit -r requirements/constraints.txt --disable-pip --no-deps -f json \
        | python -m tests.security.dependency_audit
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Verdict:
    audited: list[str]
    unaudited: list[str]  # "name version: why"
    vulnerable: list[str]  # "name version: ID (fixed in ...)"

    def passes(self, *, require_audit: bool) -> bool:
        return not self.vulnerable and not (require_audit and self.unaudited)

    def lines(self) -> list[str]:
        total = len(self.audited) + len(self.unaudited)
        found = [f"pip-audit: {len(self.audited)} of {total} pinned packages audited"]
        found += [f"  VULNERABLE {entry}" for entry in self.vulnerable]
        if not self.audited and self.unaudited:
            found.append("  WARNING: nothing was audited; the vulnerability service could not be reached or knew none")
            found.append(f"  e.g. {self.unaudited[0]}")
        else:
            found += [f"  not audited: {entry}" for entry in self.unaudited]
        if self.audited and not self.vulnerable:
            found.append("  no known vulnerability in the packages audited")
        return found


def judge(report: dict[str, Any]) -> Verdict:
    audited, unaudited, vulnerable = [], [], []
    for dependency in report.get("dependencies", []):
        name = " ".join(filter(None, (dependency["name"], dependency.get("version"))))
        if "skip_reason" in dependency:
            unaudited.append(f"{name}: {dependency['skip_reason']}")
            continue
        audited.append(name)
        for vulnerability in dependency.get("vulns", []):
            fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fix yet"
            vulnerable.append(f"{name}: {vulnerability['id']} (fixed in {fixed})")
    return Verdict(audited=audited, unaudited=unaudited, vulnerable=vulnerable)


def main(argv: list[str]) -> int:
    verdict = judge(json.load(sys.stdin))
    sys.stdout.write("\n".join(verdict.lines()) + "\n")
    return 0 if verdict.passes(require_audit="--require-audit" in argv) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
