"""`iptriad export fhir --client ID [--output FILE]`: a client's measures as a FHIR R4 Bundle (JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.accounts.actors import Actor
from iptriad.measures.export import client_fhir_export, json_chunks
from iptriad.measures.selectors import client_for_operator
from iptriad.web.private_files import write_privately

KINDS = ("fhir",)


class Command(BaseCommand):
    help = (
        "Export a client's measures. `fhir` writes every administration as a FHIR R4 Bundle (QuestionnaireResponse "
        "and Observations), rescored from the stored answers, to standard output or to --output FILE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS, help="What to export: fhir")
        parser.add_argument("--client", type=int, required=True, help="The client's id (as in the client's page URL)")
        parser.add_argument("--output", default="", help="The file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_for_operator(client_id=options["client"])
        if client is None:
            raise CommandError(f"No client has the id {options['client']}.")
        # An operator at the command line, acting in the client's organisation (and so audited there).
        export = client_fhir_export(actor=Actor.operator(client.organisation), client=client)
        for reason in export.left_out:
            self.stderr.write(f"Left out {reason}.")
        if options["output"]:
            path = Path(options["output"])
            write_privately(path, json_chunks(export.bundle))
            self.stderr.write(f"Wrote {export.exported} administrations of client {client.pk} to {path}.")
        else:
            for chunk in json_chunks(export.bundle):
                self.stdout.write(chunk, ending="")
            self.stdout.write("")
