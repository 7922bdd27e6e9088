"""`iptriad report outcomes --org SLUG [--from DATE] [--to DATE] [--by FIELD] --format json|csv|pdf [--output FILE]`:
the outcome report of one organisation as the JSON contract (docs/outcomes-report.md), the aggregates as CSV, or the
PDF for a board or funder (to a file), counts under 5 suppressed as on every page. Reads the stored rows only
(`iptriad outcomes refresh` fills them)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import TextIOBase
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.accounts.models import Organisation
from iptriad.outcomes.exports import aggregates_csv
from iptriad.outcomes.pdf import render_report_pdf
from iptriad.outcomes.report import BREAKDOWNS, PERIOD_REVERSED, OutcomeReport, outcome_report
from iptriad.web.replica import replica_reads

ERROR_NO_ORGANISATION = "No organisation has the slug {slug!r}."
ERROR_BAD_DATE = "--{name} must be a date written YYYY-MM-DD, not {value!r}."
ERROR_BAD_BREAKDOWN = "--by must be one of {choices}, not {value!r}."
ERROR_PDF_NEEDS_FILE = "--format pdf writes a file: give it with --output FILE."


def _json(report: OutcomeReport, out: TextIOBase) -> None:
    # One write: the command's stdout wrapper ends every write that lacks one with a newline.
    out.write(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")


def _csv(report: OutcomeReport, out: TextIOBase) -> None:
    for line in aggregates_csv(report):
        out.write(line)


# The text formats, one writer each; the PDF is bytes, written to a file (a terminal is no place for it).
FORMATS: dict[str, Callable[[OutcomeReport, TextIOBase], None]] = {"json": _json, "csv": _csv}
PDF = "pdf"


def _date(name: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(ERROR_BAD_DATE.format(name=name, value=value)) from None


class Command(BaseCommand):
    help = "Write a report: `iptriad report outcomes --org SLUG --format json|csv`."

    def add_arguments(self, parser: CommandParser) -> None:
        reports = parser.add_subparsers(dest="report", required=True)
        outcomes = reports.add_parser(
            "outcomes", help="Recovery, reliable change and programme indicators of the contexts ended in a period."
        )
        outcomes.add_argument("--org", required=True, help="The organisation's slug")
        outcomes.add_argument("--from", dest="start", help="The period's first day, YYYY-MM-DD (default: open)")
        outcomes.add_argument("--to", dest="end", help="The period's last day, YYYY-MM-DD, included (default: open)")
        outcomes.add_argument("--by", help="A breakdown: " + ", ".join(BREAKDOWNS))
        outcomes.add_argument("--format", required=True, choices=[*sorted(FORMATS), PDF], help="json, csv or pdf")
        outcomes.add_argument("--output", help="A file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        # The arguments are checked before the database is read.
        start, end = _date("from", options.get("start")), _date("to", options.get("end"))
        if start is not None and end is not None and end < start:
            raise CommandError(f"{PERIOD_REVERSED}: --to {end} is before --from {start}.")
        by = options.get("by")
        if by is not None and by not in BREAKDOWNS:
            raise CommandError(ERROR_BAD_BREAKDOWN.format(choices=", ".join(BREAKDOWNS), value=by))
        if options["format"] == PDF and not options.get("output"):
            raise CommandError(ERROR_PDF_NEEDS_FILE)
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(ERROR_NO_ORGANISATION.format(slug=options["org"]))
        with replica_reads():  # from the replica when one is configured (docs/operators/scaling.md)
            report = outcome_report([organisation], start=start, end=end, by=by)
        if options["format"] == PDF:
            self._write_pdf(options["output"], render_report_pdf(report))
        else:
            with self._output(options.get("output")) as out:
                FORMATS[options["format"]](report, out)
        if options.get("output"):
            self.stderr.write(f"Wrote the outcome report of {organisation.name} to {options['output']}.")

    @contextmanager
    def _output(self, path: str | None) -> Iterator[TextIOBase]:
        if path is None:
            yield self.stdout
            return
        try:
            with open(path, "w", encoding="utf-8", newline="") as handle:
                yield handle
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None

    def _write_pdf(self, path: str, content: bytes) -> None:
        try:
            with open(path, "wb") as handle:
                handle.write(content)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
