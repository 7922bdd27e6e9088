"""The dashboard's downloads: the aggregates CSV and the PDF for supervisors and administrators, the de-identified
rows CSV for supervisors only; each for the page's period and breakdown, streamed where it is a CSV, and audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from iptriad.accounts.models import Role
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.metrics import METRICS_VERSION
from iptriad.outcomes.exports import ROW_HEADER
from tests.conftest import logged_in
from tests.outcomes.builders import outcome_row

pytestmark = pytest.mark.django_db

QUERY = {"start": "2026-01-01", "end": "2026-12-31", "by": "therapist"}


def _cohort(personas) -> None:
    for _ in range(6):
        outcome_row(personas.org_a, therapist=personas.therapist_a, phq9=(18, 4))
    outcome_row(personas.org_a, therapist=personas.therapist_a2, phq9=(12, 18))
    outcome_row(personas.org_b, therapist=personas.therapist_b, phq9=(18, 4))


def _text(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_the_aggregates_csv_streams_the_pages_figures(personas):
    _cohort(personas)
    response = logged_in(personas.admin_a).get(reverse("outcomes-csv"), QUERY)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="iptriad-outcomes-alpha-2026-01-01-to-2026-12-31-v{METRICS_VERSION}.csv"'
    )
    lines = list(csv.DictReader(io.StringIO(_text(response))))
    assert [line["label"] for line in lines] == ["Everyone", "Tara Alpha", "Tove Alpha"]
    assert (lines[0]["finished"], lines[0]["recovered"], lines[0]["recovery_rate"]) == ("7", "6", "0.8571")
    assert lines[2]["finished"] == "fewer than 5"


def test_the_rows_csv_is_a_supervisors_and_names_no_client(personas):
    _cohort(personas)
    assert logged_in(personas.admin_a).get(reverse("outcomes-rows-csv"), QUERY).status_code == 403
    response = logged_in(personas.supervisor_a).get(reverse("outcomes-rows-csv"), QUERY)
    assert response.status_code == 200
    assert response.streaming
    assert "outcome-rows-alpha" in response["Content-Disposition"]
    text = _text(response)
    lines = list(csv.DictReader(io.StringIO(text)))
    assert tuple(lines[0]) == ROW_HEADER
    assert len(lines) == 7  # organisation A's only
    assert {line["organisation"] for line in lines} == {"alpha"}
    assert "Sampleton" not in text
    assert "OUT-" not in text


def test_the_pdf_has_the_pages_figures(personas):
    _cohort(personas)
    response = logged_in(personas.admin_a).get(reverse("outcomes-pdf"), QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f'-v{METRICS_VERSION}.pdf"')
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Alpha Clinic" in text
    assert "85.7%" in text
    assert "Tove Alpha" in text
    assert "Beta Service" not in text


@pytest.mark.parametrize("name", ["outcomes-csv", "outcomes-rows-csv", "outcomes-pdf"])
@pytest.mark.parametrize("role", [Role.THERAPIST, Role.FACILITATOR])
def test_therapists_and_facilitators_download_nothing(personas, name, role):
    assert logged_in(personas.member_of_a(role)).get(reverse(name), QUERY).status_code == 403


@pytest.mark.parametrize("name", ["outcomes-csv", "outcomes-rows-csv", "outcomes-pdf"])
def test_a_bad_choice_is_refused_with_its_reason(personas, name):
    response = logged_in(personas.supervisor_a).get(reverse(name), {"start": "2026-05-01", "end": "2026-01-01"})
    assert response.status_code == 400
    assert "The period ends before it starts." in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.OUTCOMES_DOWNLOADED).exists()


def test_each_download_is_audited_with_its_file(personas):
    http = logged_in(personas.supervisor_a)
    for name in ("outcomes-csv", "outcomes-rows-csv", "outcomes-pdf"):
        response = http.get(reverse(name), QUERY)
        assert response.status_code == 200
        # Read to the end, which closes a streamed answer as a browser's would (closing it unread would close the
        # test's database connection, through Django's request_finished signal).
        assert response.getvalue()
    events = AuditEvent.objects.filter(action=AuditAction.OUTCOMES_DOWNLOADED).order_by("pk")
    assert [event.detail["file"] for event in events] == ["aggregates.csv", "rows.csv", "report.pdf"]
    assert {event.actor_id for event in events} == {personas.supervisor_a.pk}
    assert events[0].detail["by"] == "therapist"


def test_the_page_links_to_each_download_its_reader_may_take(personas):
    _cohort(personas)
    query = "start=2026-01-01&amp;end=2026-12-31&amp;by=therapist"
    supervisor = logged_in(personas.supervisor_a).get(reverse("outcomes"), QUERY).content.decode()
    admin = logged_in(personas.admin_a).get(reverse("outcomes"), QUERY).content.decode()
    for name in ("outcomes-csv", "outcomes-pdf"):
        assert f'href="{reverse(name)}?{query}"' in supervisor
        assert f'href="{reverse(name)}?{query}"' in admin
    assert f'href="{reverse("outcomes-rows-csv")}?{query}"' in supervisor
    assert reverse("outcomes-rows-csv") not in admin
