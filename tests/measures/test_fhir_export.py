"""The FHIR export of a client's measures: `iptriad export fhir` and the page's download, validated as FHIR."""

from __future__ import annotations

import json
import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

# fhir.resources 8.x models FHIR R5 by default; its R4B models are the closest to R4 it ships (as tests/core/test_fhir).
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.measures.models import Administration
from iptriad.measures.services import administration_record, self_report_link_create
from tests.conftest import Personas, logged_in
from tests.measures.factories import PHQ9_WITH_RISK, self_report_submit

pytestmark = pytest.mark.django_db

GAD7 = [1, 2, 1, 0, 1, 2, 1]
EPDS = [1, 1, 2, 1, 0, 1, 1, 1, 0, 0]
LOINC = "http://loinc.org"


def clinical_record(personas: Personas) -> dict[str, Administration]:
    """PHQ-9 with item 9 positive and an EPDS recorded in session, and a GAD-7 the client sent on a link."""
    actor = personas.actor(personas.therapist_a)
    phq9 = administration_record(actor=actor, client=personas.client_a, code="phq9", answers=PHQ9_WITH_RISK)
    epds = administration_record(actor=actor, client=personas.client_a, code="epds", answers=EPDS)
    _, token = self_report_link_create(actor=actor, client=personas.client_a, code="gad7")
    gad7 = self_report_submit(token=token, answers=GAD7, ip_address=None)
    return {"phq9": phq9, "epds": epds, "gad7": gad7}


def validate(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    Bundle.model_validate(bundle)
    resources = [entry["resource"] for entry in bundle["entry"]]
    for resource in resources:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resources


def observation(resources: list[dict[str, Any]], loinc: str) -> dict[str, Any]:
    return next(
        r
        for r in resources
        if r["resourceType"] == "Observation" and r["code"]["coding"][0] == {"system": LOINC, "code": loinc}
    )


def export_to_file(tmp_path: Path, client_id: int) -> tuple[dict[str, Any], str]:
    target = tmp_path / "export.json"
    stderr = StringIO()
    call_command("export", "fhir", "--client", str(client_id), "--output", str(target), stderr=stderr)
    return json.loads(target.read_text(encoding="utf-8")), stderr.getvalue()


class TestCommand:
    def test_it_writes_a_valid_bundle_of_every_administration(self, personas, tmp_path):
        record = clinical_record(personas)
        bundle, said = export_to_file(tmp_path, personas.client_a.pk)
        resources = validate(bundle)
        questionnaires = [r["questionnaire"] for r in resources if r["resourceType"] == "QuestionnaireResponse"]
        assert questionnaires == [
            "urn:iptriad:questionnaire:phq9|1.0.0",
            "urn:iptriad:questionnaire:epds|1.0.0",
            "urn:iptriad:questionnaire:gad7|1.0.0",
        ]
        (patient,) = [r for r in resources if r["resourceType"] == "Patient"]
        assert [identifier["value"] for identifier in patient["identifier"]] == [personas.client_a.identifier]
        subjects = {r["subject"]["reference"] for r in resources if "subject" in r}
        assert subjects == {f"urn:uuid:{patient['id']}"}  # in the Bundle, never "Patient/<database id>"
        assert "Wrote 3 administrations" in said
        assert record["phq9"].total == 10

    def test_it_rescores_from_the_stored_answers(self, personas, tmp_path):
        record = clinical_record(personas)
        Administration.objects.filter(pk=record["phq9"].pk).update(total=99, band="tampered")
        resources = validate(export_to_file(tmp_path, personas.client_a.pk)[0])
        total = observation(resources, "44261-6")
        assert total["valueQuantity"]["value"] == 10
        assert total["interpretation"][0]["text"] == "moderate"

    def test_the_positive_item_9_is_flagged(self, personas, tmp_path):
        clinical_record(personas)
        resources = validate(export_to_file(tmp_path, personas.client_a.pk)[0])
        item9 = observation(resources, "44260-8")
        assert item9["interpretation"][0]["coding"][0]["code"] == "POS"

    def test_the_author_is_the_clinician_who_recorded_it_or_else_the_client(self, personas, tmp_path):
        clinical_record(personas)
        resources = validate(export_to_file(tmp_path, personas.client_a.pk)[0])
        in_bundle = {f"urn:uuid:{r['id']}": r["resourceType"] for r in resources}
        authors = {
            r["questionnaire"].split(":")[-1].split("|")[0]: (
                in_bundle[r["author"]["reference"]],
                r["author"]["identifier"]["value"],
            )
            for r in resources
            if r["resourceType"] == "QuestionnaireResponse"
        }
        assert authors == {
            "phq9": ("Practitioner", f"mailto:{personas.therapist_a.email}"),
            "epds": ("Practitioner", f"mailto:{personas.therapist_a.email}"),
            "gad7": ("Patient", personas.client_a.identifier),
        }

    def test_it_writes_to_standard_output_without_a_file(self, personas):
        clinical_record(personas)
        stdout = StringIO()
        call_command("export", "fhir", "--client", str(personas.client_a.pk), stdout=stdout)
        validate(json.loads(stdout.getvalue()))

    def test_the_file_is_readable_by_its_owner_only(self, personas, tmp_path):
        clinical_record(personas)
        export_to_file(tmp_path, personas.client_a.pk)
        assert stat.S_IMODE((tmp_path / "export.json").stat().st_mode) == 0o600
        assert [path.name for path in tmp_path.iterdir()] == ["export.json"]  # no temporary file left behind

    def test_it_is_audited_as_the_operator_in_the_clients_organisation(self, personas, tmp_path):
        clinical_record(personas)
        export_to_file(tmp_path, personas.client_a.pk)
        event = AuditEvent.objects.get(action=AuditAction.MEASURE_VIEWED)
        assert (event.organisation_id, event.actor_id, event.object_id) == (
            personas.org_a.pk,
            None,
            str(personas.client_a.pk),
        )
        assert event.detail == {"export": "fhir"}

    def test_an_unknown_client_is_a_clear_error(self, personas):
        with pytest.raises(CommandError, match=r"No client has the id 999999\."):
            call_command("export", "fhir", "--client", "999999", stdout=StringIO())
        assert not AuditEvent.objects.filter(action=AuditAction.MEASURE_VIEWED).exists()

    def test_a_missing_folder_is_a_clear_error(self, personas, tmp_path):
        with pytest.raises(CommandError, match="does not exist"):
            call_command(
                "export", "fhir", "--client", str(personas.client_a.pk), "--output", str(tmp_path / "no" / "x.json")
            )

    def test_only_fhir_is_known(self, personas):
        with pytest.raises(CommandError):
            call_command("export", "csv", "--client", str(personas.client_a.pk), stdout=StringIO())

    def test_an_answer_to_another_version_is_left_out_and_said(self, personas, tmp_path):
        record = clinical_record(personas)
        Administration.objects.filter(pk=record["epds"].pk).update(instrument_version="0.9.0")
        bundle, said = export_to_file(tmp_path, personas.client_a.pk)
        questionnaires = [e["resource"].get("questionnaire") for e in bundle["entry"]]
        assert "urn:iptriad:questionnaire:epds|1.0.0" not in questionnaires
        assert f"administration {record['epds'].pk}: answered against epds version 0.9.0" in said
        assert "Wrote 2 administrations" in said

    def test_a_client_without_measures_gives_an_empty_bundle(self, personas):
        stdout = StringIO()
        call_command("export", "fhir", "--client", str(personas.client_a.pk), stdout=stdout)
        bundle = json.loads(stdout.getvalue())
        Bundle.model_validate(bundle)
        assert "entry" not in bundle


class TestDownload:
    def test_it_downloads_the_bundle_as_a_fhir_json_file(self, personas):
        clinical_record(personas)
        response = logged_in(personas.therapist_a).get(reverse("measures-fhir-export", args=[personas.client_a.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="iptriad-client-{personas.client_a.pk}-measures.fhir.json"'
        )
        assert "no-store" in response["Cache-Control"]
        resources = validate(json.loads(response.content))
        assert len([r for r in resources if r["resourceType"] == "QuestionnaireResponse"]) == 3

    def test_it_is_audited_as_the_member(self, personas):
        clinical_record(personas)
        logged_in(personas.supervisor_a).get(reverse("measures-fhir-export", args=[personas.client_a.pk]))
        event = AuditEvent.objects.get(action=AuditAction.MEASURE_VIEWED)
        assert (event.actor_id, event.detail) == (personas.supervisor_a.pk, {"export": "fhir"})

    @pytest.mark.parametrize("who", ["admin_a", "facilitator_a", "therapist_a2"])
    def test_only_the_clients_clinicians_may_download_it(self, personas, who):
        clinical_record(personas)
        response = logged_in(getattr(personas, who)).get(reverse("measures-fhir-export", args=[personas.client_a.pk]))
        assert response.status_code == 404
        assert not AuditEvent.objects.filter(action=AuditAction.MEASURE_VIEWED).exists()

    def test_it_needs_a_login(self, personas):
        response = HttpClient().get(reverse("measures-fhir-export", args=[personas.client_a.pk]))
        assert response.status_code == 302

    def test_it_runs_the_same_queries_for_3_and_20_administrations(self, personas):
        clinical_record(personas)
        http = logged_in(personas.therapist_a)
        url = reverse("measures-fhir-export", args=[personas.client_a.pk])

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert http.get(url).status_code == 200
            return len(captured.captured_queries)

        with_three = queries()
        for _ in range(17):
            administration_record(
                actor=personas.actor(personas.therapist_a), client=personas.client_a, code="gad7", answers=GAD7
            )
        assert queries() == with_three


def test_wording_loaded_locally_under_licence_stays_out_of_the_export(personas, settings, tmp_path):
    items = "\n".join(
        f'[items.{n}]\ntext = "Licensed item {n}"\noptions = ["Lic-A{n}", "Lic-B{n}", "Lic-C{n}", "Lic-D{n}"]'
        for n in range(1, 11)
    )
    (tmp_path / "epds.toml").write_text(f'code = "epds"\nversion = "1.0.0"\n{items}\n')
    settings.INSTRUMENT_TEXT_DIR = str(tmp_path)
    administration_record(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code="epds", answers=EPDS
    )

    bundle, _ = export_to_file(tmp_path, personas.client_a.pk)
    resources = validate(bundle)
    text = json.dumps(bundle)

    assert "Licensed item" not in text
    assert "Lic-" not in text
    (form,) = [r for r in resources if r["resourceType"] == "Questionnaire"]
    assert form["item"][0]["text"] == "EPDS item 1"  # the structure and codes travel, the wording does not
