"""`iptriad clientdata export|erase --client ID`: a client's data rights at the command line.

    iptriad clientdata export --client ID [--format json|fhir] [--output FILE]
    iptriad clientdata erase --client ID --reason REASON [--reference REF] --yes

The operator acts in the client's organisation with every right (Actor.operator), and is audited there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.accounts.actors import Actor
from iptriad.clients.models import Client
from iptriad.datarights.export import client_fhir_export, client_json_export, document_chunks
from iptriad.datarights.selectors import client_for_operator
from iptriad.datarights.services import ErasureReason, client_erase
from iptriad.measures.export import json_chunks
from iptriad.web.private_files import write_privately

FORMATS = ("json", "fhir")


class Command(BaseCommand):
    help = (
        "A client's data rights. `export` writes everything held about the client (json) or their measures as a "
        "FHIR R4 Bundle (fhir) to standard output or --output FILE; `erase` deletes the client and every record "
        "of theirs in one transaction (needs --reason and --yes). Both are audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="export|erase")
        export = actions.add_parser("export", help="Write everything held about a client")
        export.add_argument("--client", type=int, required=True, help="The client's id (as in its page URL)")
        export.add_argument("--format", choices=FORMATS, default="json", help="json (everything) or fhir (measures)")
        export.add_argument("--output", default="", help="The file to write (default: standard output)")
        erase = actions.add_parser("erase", help="Delete a client and every record of theirs")
        erase.add_argument("--client", type=int, required=True, help="The client's id (as in its page URL)")
        erase.add_argument("--reason", required=True, choices=ErasureReason.values, help="Why the client is erased")
        erase.add_argument("--reference", default="", help="The case or ticket number of the request (no names)")
        erase.add_argument("--yes", action="store_true", help="Confirm: the erasure cannot be undone")

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_for_operator(client_id=options["client"])
        if client is None:
            raise CommandError(f"No client has the id {options['client']}.")
        if options["action"] == "export":
            self._export(client, options["format"], options["output"])
        else:
            self._erase(client, options)

    def _export(self, client: Client, kind: str, output: str) -> None:
        actor = Actor.operator(client.organisation)
        if kind == "json":
            chunks = document_chunks(client_json_export(actor=actor, client=client))
            described = "everything held"
        else:
            fhir = client_fhir_export(actor=actor, client=client)
            for reason in fhir.left_out:
                self.stderr.write(f"Left out {reason}.")
            chunks = json_chunks(fhir.bundle)
            described = f"{fhir.exported} administrations"
        if not output:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            self.stdout.write("")
            return
        path = Path(output)
        write_privately(path, chunks)
        self.stderr.write(f"Wrote {described} about client {client.pk} to {path}.")

    def _erase(self, client: Client, options: dict[str, Any]) -> None:
        if not options["yes"]:
            raise CommandError(
                f"Erasing client {client.pk} deletes every record of theirs for good. Run again with --yes to do it."
            )
        try:
            erasure = client_erase(
                actor=Actor.operator(client.organisation),
                client=client,
                reason=options["reason"],
                reference=options["reference"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for label, count in erasure.removed.items():
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(f"Erased client {erasure.client_id}: {erasure.total} records removed.")
