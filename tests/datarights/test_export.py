"""The JSON export holds everything about one client and nothing about anyone else, in bounded queries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.clients.models import Client
from iptriad.courses.models import Course
from iptriad.courses.services.initial import inventory_person_delete
from iptriad.datarights.export import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    client_json_export,
    document_chunks,
    export_filename,
)
from iptriad.datarights.graph import client_record_types
from iptriad.measures.models import Administration, SelfReportLink
from tests.conftest import Personas, make_client
from tests.courses.factories import full_course
from tests.datarights.conftest import client_history

pytestmark = pytest.mark.django_db


def _export(personas: Personas, client: Client) -> dict[str, Any]:
    document = client_json_export(actor=personas.actor(personas.admin_a), client=client)
    parsed: dict[str, Any] = json.loads("".join(document_chunks(document)))
    return parsed


def _ids(document: dict[str, Any], label: str) -> set[int]:
    return {row["id"] for row in document["records"][label]}


def test_it_exports_every_record_of_a_full_course(personas, history_a):
    document = _export(personas, personas.client_a)
    course = history_a.course.course
    assert (document["format"], document["version"]) == (EXPORT_FORMAT, EXPORT_VERSION)
    assert document["exported_at"]
    assert document["exported_by"] == {"id": personas.admin_a.pk, "name": "Adele Alpha"}
    assert document["client"]["identifier"] == "A-0001"
    assert document["client"]["family_name"] == "Alphason"
    records = document["records"]
    assert set(records) == {record_type.label for record_type in client_record_types()}
    for label in records:
        assert records[label], f"{label} is empty: the test history should hold one of each"
    assert _ids(document, "courses.Course") == {course.pk}
    assert records["courses.Assessment"][0]["presenting_problems"] == "Low mood since the move."
    assert records["courses.InventoryPerson"][0]["name"] == "Sam"
    assert records["courses.TimelineEvent"][0]["description"] == "Moved city"
    assert records["courses.Triad"][0]["support_people"] == [history_a.course.person.pk]
    assert records["courses.Formulation"][0]["text"] == "Your depression began after the move."
    assert records["courses.Goal"][0]["text"] == "Build a new social network"
    assert records["courses.Goal"][0]["problem_area_id"] == history_a.course.problem_area.pk
    assert records["courses.TreatmentContract"][0]["sessions_planned"] == 12
    assert records["courses.CourseSession"][0]["number"] == 1
    assert records["courses.TerminationReview"][0]["progress_summary"] == "Mood lifted"
    assert records["courses.RelapsePreventionPlan"][0]["warning_signs"] == "Sleeping badly"
    assert records["courses.MaintenancePlan"][0]["sessions_planned"] == 6
    assert records["measures.MeasureSchedule"][0]["instrument_code"] == "phq9"
    assert len(records["measures.SocialRhythmEntry"]) == 35
    phq9 = next(row for row in records["measures.Administration"] if row["instrument_code"] == "phq9")
    assert phq9["total"] == "10.00"
    answers = [row for row in records["measures.AdministrationAnswer"] if row["administration_id"] == phq9["id"]]
    assert [answer["position"] for answer in sorted(answers, key=lambda a: a["item_number"])] == [
        1, 1, 1, 1, 1, 1, 1, 2, 1,
    ]  # fmt: skip
    assert records["measures.RiskAlert"][0]["administration_id"] == phq9["id"]
    assert records["measures.SelfReportLink"][0]["instrument_code"] == "phq9"


def test_it_holds_no_other_clients_data(personas, history_a, history_b):
    neighbour = make_client(personas.org_a, "A-0002", personas.therapist_a, given_name="Nia", family_name="Nextdoor")
    full_course(neighbour, personas.therapist_a)
    document = _export(personas, personas.client_a)
    text = json.dumps(document)
    for other in (personas.client_b, neighbour):
        assert other.family_name not in text
        assert other.identifier not in text
    assert _ids(document, "courses.Course") == {history_a.course.course.pk}
    theirs = set(Administration.objects.exclude(client=personas.client_a).values_list("pk", flat=True))
    assert theirs
    assert not theirs & _ids(document, "measures.Administration")
    assert all(row["client_id"] == personas.client_a.pk for row in document["records"]["measures.RiskAlert"])
    assert ("client", str(neighbour.pk)) not in {(e["object_type"], e["object_id"]) for e in document["audit_events"]}


def test_it_holds_no_token_or_password_hash(personas, history_a):
    text = json.dumps(_export(personas, personas.client_a))
    link = SelfReportLink.objects.get(client=personas.client_a)
    assert link.token_hash not in text
    assert history_a.token not in text
    assert "token_hash" not in text
    assert "password" not in text
    assert "search_text" not in text
    assert personas.therapist_a.password not in text
    assert "therapist.a@alpha.example" not in text  # staff appear by name, not by login


def test_it_lists_the_audit_events_about_the_client_and_its_records(personas, history_a):
    document = _export(personas, personas.client_a)
    events = document["audit_events"]
    administration = Administration.objects.filter(client=personas.client_a, instrument_code="phq9").get()
    recorded = next(
        event
        for event in events
        if event["action"] == AuditAction.MEASURE_RECORDED and event["object_id"] == str(administration.pk)
    )
    assert recorded["actor_id"] == personas.therapist_a.pk
    assert recorded["description"] == "Measure recorded"
    assert document["staff"][str(personas.therapist_a.pk)] == "Tara Alpha"
    assert any(event["action"] == AuditAction.LINK_CREATED for event in events)
    assert [event["at"] for event in events] == sorted(event["at"] for event in events)
    assert all("ip_address" not in event for event in events if event["actor_id"] is not None)


def test_every_export_is_audited_with_its_format(personas, history_a):
    _export(personas, personas.client_a)
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_EXPORTED)
    assert (event.actor, event.object_type, event.object_id) == (personas.admin_a, "client", str(personas.client_a.pk))
    assert event.detail["format"] == "json"
    assert event.detail["records"] > 50


def test_the_queries_do_not_grow_with_the_record(personas):
    def count_queries() -> int:
        actor = personas.actor(personas.admin_a)
        with CaptureQueriesContext(connection) as queries:
            client_json_export(actor=actor, client=personas.client_a)
        return len(queries)

    client_history(personas, personas.client_a, personas.therapist_a)
    with_one = count_queries()
    for _ in range(3):
        closed = {"phase": "closed", "closed_on": "2026-10-01", "end_reason": "other"}
        Course.objects.filter(client=personas.client_a).update(**closed)
        client_history(personas, personas.client_a, personas.therapist_a)
    assert count_queries() == with_one
    assert with_one <= len(client_record_types()) + 8


def test_an_operator_export_names_the_command_line(personas, history_a):
    document = client_json_export(actor=Actor.operator(personas.org_a), client=personas.client_a)
    assert document["exported_by"] == {"id": None, "name": "An operator at the command line"}


def test_the_file_name_keeps_only_safe_characters(personas):
    client = make_client(personas.org_a, "north/../A 7", None)
    assert export_filename(client, dt.date(2026, 11, 26), "json") == "client-north-A-7-2026-11-26.json"
    assert export_filename(personas.client_a, dt.date(2026, 11, 26), "json") == "client-A-0001-2026-11-26.json"
    assert export_filename(make_client(personas.org_a, "...", None), dt.date(2026, 11, 26), "json") == (
        f"client-{Client.objects.get(identifier='...').pk}-2026-11-26.json"
    )


def test_it_lists_the_events_about_records_removed_before_the_export(personas, history_a):
    person = history_a.course.person
    inventory_person_delete(actor=personas.actor(personas.therapist_a), person=person)
    document = _export(personas, personas.client_a)
    removed = [event for event in document["audit_events"] if event["action"] == AuditAction.COURSE_RECORD_DELETED]
    assert [(event["object_type"], event["object_id"]) for event in removed] == [("inventoryperson", str(person.pk))]
    assert document["records"]["courses.InventoryPerson"] == []


def test_it_lists_no_event_about_another_clients_records(personas, history_a, history_b):
    document = _export(personas, personas.client_a)
    theirs = {str(pk) for pk in Administration.objects.exclude(client=personas.client_a).values_list("pk", flat=True)}
    named = {(event["object_type"], event["object_id"]) for event in document["audit_events"]}
    assert not {("administration", pk) for pk in theirs} & named
    assert {event["detail"].get("client", personas.client_a.pk) for event in document["audit_events"]} == {
        personas.client_a.pk
    }
