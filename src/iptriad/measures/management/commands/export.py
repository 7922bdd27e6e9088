"""`iptriad export fhir --client ID [--output FILE]`: a client's measures as a FHIR R4 Bundle (JSON)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.accounts.actors import Actor
from iptriad.measures.export import FhirExport, client_fhir_export, json_chunks
from iptriad.measures.selectors import client_for_operator

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
            self._write_file(path, export)
            self.stderr.write(f"Wrote {export.exported} administrations of client {client.pk} to {path}.")
        else:
            for chunk in json_chunks(export.bundle):
                self.stdout.write(chunk, ending="")
            self.stdout.write("")

    def _write_file(self, path: Path, export: FhirExport) -> None:
        """Written beside the target and renamed into place, readable by the owner only: a clinical record."""
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        if path.is_dir():
            raise CommandError(f"{path} is a folder: give a file name.")
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                for chunk in json_chunks(export.bundle):
                    stream.write(chunk)
                stream.write("\n")
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
