"""`iptriad audit verify [--organisation SLUG]`: recompute the audit trail's hash chains and report any break.

`iptriad audit summarise`: write the summaries of refused requests counted in minutes now over.
"""

from __future__ import annotations

import re
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.audit.chain import ChainReport, organisations, verify_chains
from iptriad.audit.refusals import refusals_summarise


class Command(BaseCommand):
    help = "Check the audit trail: every event still matches its hash and its place in its organisation's chain."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        verify = commands.add_parser(
            "verify", help="Recompute every chain; exit status 0 when all are intact, 1 on any break."
        )
        verify.add_argument("--organisation", metavar="SLUG", help="Check only this organisation's chain")
        verify.add_argument(
            "--expect",
            metavar="SEQUENCE:HASH",
            action="append",
            default=[],
            help="A hash kept off the server (from an earlier OK line) that the organisation's chain must still "
            "hold at that sequence; may be repeated; needs --organisation",
        )
        commands.add_parser(
            "summarise",
            help="Write one event for each source's refused requests counted in a minute now over (run it before "
            "verify, so the check covers them).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "summarise":
            written = refusals_summarise()
            noun = "summary" if written == 1 else "summaries"
            self.stdout.write(f"{written} {noun} of refused requests written.")
            return
        organisation = None
        if options["organisation"]:
            organisation = organisations().filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation has the slug {options['organisation']!r}.")
        expected = _expected_hashes(options["expect"])
        if expected and organisation is None:
            raise CommandError("--expect needs --organisation: sequences are counted per organisation.")
        started = time.monotonic()
        report = verify_chains(organisation, expected=expected)
        for chain in report.chains:
            self._write_chain(chain)
        seconds = time.monotonic() - started
        chains = "1 chain" if len(report.chains) == 1 else f"{len(report.chains)} chains"
        summary = f"{report.events_checked} events in {chains} checked in {seconds:.1f} s"
        if not report.ok:
            raise CommandError(f"The audit trail is broken: {_problems(report.problem_count)}. {summary}.")
        self.stdout.write(f"The audit trail is intact: {summary}.")

    def _write_chain(self, chain: ChainReport) -> None:
        if chain.ok:
            self.stdout.write(
                f"{chain.chain}: {chain.events_checked} events checked, OK "
                f"(last sequence {chain.last_sequence}, hash {chain.last_hash})"
            )
            return
        count = chain.problem_count
        self.stdout.write(f"{chain.chain}: {chain.events_checked} events checked, {_problems(count)}")
        for problem in chain.problems:
            where = f"event {problem.event_id} (sequence {problem.sequence})" if problem.event_id else "chain head"
            self.stdout.write(f"  {where}: {problem.kind}: {problem.message}")
        if chain.problems_not_listed:
            self.stdout.write(f"  ... and {chain.problems_not_listed} more")


def _problems(count: int) -> str:
    return f"{count} problem" if count == 1 else f"{count} problems"


def _expected_hashes(values: list[str]) -> dict[int, str]:
    expected = {}
    for value in values:
        sequence, _, digest = value.partition(":")
        if not sequence.isdigit() or not re.fullmatch(r"[0-9a-f]{64}", digest.strip().lower()):
            raise CommandError(f"--expect {value!r}: give SEQUENCE:HASH, e.g. 1200:3fa4... (64 hex digits).")
        expected[int(sequence)] = digest.strip().lower()
    return expected
