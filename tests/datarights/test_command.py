"""`iptriad clientdata export|erase`: the operator's way to answer a client's data rights."""

from __future__ import annotations

import json
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.clients.models import Client
from iptriad.courses.models import Course
from iptriad.measures.models import SelfReportLink
from tests.datarights.conftest import close_alerts

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("clientdata", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_exports_everything_as_json_to_standard_output(personas, history_a):
    out, _ = _run("export", "--client", str(personas.client_a.pk))
    document = json.loads(out)
    assert document["client"]["identifier"] == "A-0001"
    assert document["exported_by"]["id"] is None
    assert SelfReportLink.objects.get(client=personas.client_a).token_hash not in out
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_EXPORTED)
    assert (event.organisation, event.actor, event.detail["format"]) == (personas.org_a, None, "json")


def test_it_writes_the_fhir_bundle_to_a_file_only_its_owner_can_read(personas, history_a, tmp_path: Path):
    target = tmp_path / "client.fhir.json"
    _, err = _run("export", "--client", str(personas.client_a.pk), "--format", "fhir", "--output", str(target))
    bundle = json.loads(target.read_text())
    assert bundle["resourceType"] == "Bundle"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "Wrote 1 administrations" in err
    assert "srm5 is a diary" in err  # said why the diary is not in the Bundle
    assert AuditEvent.objects.get(action=AuditAction.CLIENT_EXPORTED).detail["format"] == "fhir"


def test_it_refuses_an_unknown_client_and_a_missing_folder(personas, tmp_path: Path):
    with pytest.raises(CommandError, match="No client has the id 999999"):
        _run("export", "--client", "999999")
    with pytest.raises(CommandError, match="does not exist"):
        _run("export", "--client", str(personas.client_a.pk), "--output", str(tmp_path / "nowhere" / "x.json"))


def test_erasing_needs_yes(personas, history_a):
    close_alerts(personas.client_a, personas.therapist_a)
    with pytest.raises(CommandError, match="--yes"):
        _run("erase", "--client", str(personas.client_a.pk), "--reason", "client_request")
    assert Client.objects.filter(pk=personas.client_a.pk).exists()


def test_it_erases_a_client_and_says_what_went(personas, history_a, history_b):
    close_alerts(personas.client_a, personas.therapist_a)
    client_id = personas.client_a.pk
    out, _ = _run("erase", "--client", str(client_id), "--reason", "retention_ended", "--reference", "R-7", "--yes")
    assert "courses.Course: 1" in out
    assert f"Erased client {client_id}" in out
    assert not Client.objects.filter(pk=client_id).exists()
    assert Course.objects.filter(client=personas.client_b).exists()
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_ERASED)
    assert (event.actor, event.detail["reason"], event.detail["reference"]) == (None, "retention_ended", "R-7")


def test_it_refuses_to_erase_while_a_risk_alert_is_open(personas, history_a):
    with pytest.raises(CommandError, match="Close the open risk alert first"):
        _run("erase", "--client", str(personas.client_a.pk), "--reason", "client_request", "--yes")
    assert Client.objects.filter(pk=personas.client_a.pk).exists()
