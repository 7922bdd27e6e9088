"""The programme page: the outcomes dashboard (iptriad.outcomes.pages) for a lead, across the programme's
organisations, broken down by organisation unless they choose otherwise, suppressed under 5, audited in each
organisation's chain; the aggregates CSV and the PDF report, never the rows CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.metrics import METRICS_VERSION
from iptriad.outcomes.forms import ERROR_PERIOD
from iptriad.outcomes.pages import ROWS_CSV
from tests.conftest import logged_in
from tests.outcomes.builders import outcome_row
from tests.outcomes.programmes import lead_of, programme_of

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-01-01", "end": "2026-12-31"}


def _url(name: str = "programme-outcomes", slug: str = "north") -> str:
    return reverse(name, args=[slug])


def _recovered(organisation, count: int, **fields) -> None:
    for _ in range(count):
        outcome_row(organisation, phq9=(18, 4), **fields)  # finished, at caseness, recovered reliably


def _page(lead, **query) -> tuple[Any, str]:
    response = logged_in(lead).get(_url(), query)
    assert response.status_code == 200
    return response, response.content.decode()


def _counts(response) -> dict[str, str]:
    return {line.key: line.value for line in response.context["figures"].counts}


def _breakdown(response) -> dict[str, list[str]]:
    """Each breakdown value's cells: contexts, finished, at caseness, recovered, improved, deteriorated, then the
    recovery rate and the other rates (iptriad.outcomes.presentation)."""
    return {line.label: line.cells for line in response.context["figures"].breakdown}


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_lead_sees_the_counts_of_every_organisation_of_the_programme_and_each_one(personas):
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    _recovered(personas.org_a, 6)
    _recovered(personas.org_b, 7)
    response, html = _page(lead, **PERIOD, by="organisation")
    assert "<h1>Outcomes of Northern Programme</h1>" in html
    assert response.context["figures"].organisations == ["Alpha Clinic", "Beta Service"]
    assert (_counts(response)["finished"], _counts(response)["recovered"]) == ("13", "13")
    assert "By organisation" in html
    lines = _breakdown(response)
    assert lines["Alpha Clinic"][1] == "6"
    assert (lines["Beta Service"][1], lines["Beta Service"][6]) == ("7", "100.0%")
    assert "Recovery rate by organisation, 0 to 100%: Alpha Clinic: 100.0%; Beta Service: 100.0%" in html


def test_it_opens_on_the_last_twelve_months_by_organisation(personas):
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    _recovered(personas.org_a, 5, ended_on=dt.date(2025, 12, 6))  # a day too early
    _recovered(personas.org_a, 6, ended_on=dt.date(2025, 12, 7))
    with time_machine.travel(dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC), tick=False):
        response, _ = _page(lead)
    form = response.context["form"]
    assert (form["start"].value(), form["end"].value(), form["by"].value()) == (
        "2025-12-07",
        "2026-12-06",
        "organisation",
    )
    assert _counts(response)["finished"] == "6"
    assert list(_breakdown(response)) == ["Alpha Clinic"]


def test_a_lead_of_a_programme_of_one_organisation_never_sees_anothers_figures(personas):
    lead = lead_of(programme_of(personas.org_a))
    _recovered(personas.org_a, 6, therapist=personas.therapist_a)
    _recovered(personas.org_b, 9, therapist=personas.therapist_b)
    response, html = _page(lead, **PERIOD, by="therapist")
    assert _counts(response)["finished"] == "6"
    assert "Beta Service" not in html
    assert personas.therapist_b.full_name not in html
    for name in ("programme-outcomes-csv", "programme-outcomes-pdf"):
        response = logged_in(lead).get(_url(name), {**PERIOD, "by": "organisation"})
        text = response.getvalue()  # read to its end, streamed or not
        assert b"Beta" not in text, name
    lines = _csv(logged_in(lead).get(_url("programme-outcomes-csv"), {**PERIOD, "by": "organisation"}))
    assert [(line["label"], line["finished"]) for line in lines] == [("Everyone", "6"), ("Alpha Clinic", "6")]


def test_counts_under_five_show_as_fewer_than_5_and_their_rates_not_at_all(personas):
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    _recovered(personas.org_a, 6)
    _recovered(personas.org_b, 2)
    outcome_row(personas.org_b, phq9=(12, 19))  # one reliable deterioration
    response, _ = _page(lead, **PERIOD, by="organisation")
    assert _counts(response)["reliable_deterioration"] == "fewer than 5"
    beta = _breakdown(response)["Beta Service"]
    assert (beta[1], beta[6]) == ("fewer than 5", "not shown")
    assert _breakdown(response)["Alpha Clinic"][1] == "6"


def test_the_period_and_the_breakdown_are_chosen_on_the_page(personas):
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    _recovered(personas.org_a, 5, ended_on=dt.date(2026, 3, 1), sex="female")
    _recovered(personas.org_a, 6, ended_on=dt.date(2026, 9, 1), sex="male")
    response, html = _page(lead, start="2026-06-01", end="2026-12-31", by="sex")
    assert _counts(response)["finished"] == "6"
    assert "By sex" in html
    response, html = _page(lead, **PERIOD, by="")
    assert response.context["figures"].by is None
    assert "By organisation" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-12-01", "end": "2026-01-01"}, ERROR_PERIOD),
        ({"start": "yesterday", "end": ""}, "Enter a valid date."),
        ({"start": "", "end": "", "by": "client"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_a_form_error_and_a_download_is_refused(personas, query, message):
    lead = lead_of(programme_of(personas.org_a))
    response, html = _page(lead, **query)
    assert response.context["figures"] is None
    assert message in html
    for name in ("programme-outcomes-csv", "programme-outcomes-pdf"):
        assert logged_in(lead).get(_url(name), query).status_code == 400
    assert not AuditEvent.objects.filter(organisation=personas.org_a, action__startswith="programme.outcomes").exists()


def test_each_view_and_download_is_audited_in_each_organisations_chain(personas):
    programme = programme_of(personas.org_a, personas.org_b)
    lead = lead_of(programme)
    http = logged_in(lead)
    http.get(_url(), {"start": "2026-01-01", "end": "", "by": "sex"})
    viewed = AuditEvent.objects.filter(action=AuditAction.PROGRAMME_OUTCOMES_VIEWED).order_by("organisation_id")
    assert [event.organisation_id for event in viewed] == sorted([personas.org_a.pk, personas.org_b.pk])
    assert {event.actor_id for event in viewed} == {lead.pk}
    assert viewed[0].detail == {
        "programme": programme.pk,
        "organisations": [personas.org_a.pk, personas.org_b.pk],
        "from": "2026-01-01",
        "to": None,
        "by": "sex",
        "metrics_version": METRICS_VERSION,
    }
    http.get(_url("programme-outcomes-csv"), PERIOD).getvalue()
    http.get(_url("programme-outcomes-pdf"), PERIOD)
    exported = AuditEvent.objects.filter(action=AuditAction.PROGRAMME_OUTCOMES_EXPORTED).order_by("pk")
    assert [event.detail["file"] for event in exported] == ["aggregates.csv"] * 2 + ["report.pdf"] * 2
    assert not AuditEvent.objects.filter(action__startswith="outcomes.").exists()  # an organisation's own reads


def test_the_csv_is_the_aggregates_suppressed_never_a_row(personas):
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    _recovered(personas.org_a, 6)
    _recovered(personas.org_b, 3)
    response = logged_in(lead).get(
        _url("programme-outcomes-csv"), {"start": "", "end": "2026-12-31", "by": "organisation"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        f'filename="iptriad-outcomes-north-start-to-2026-12-31-v{METRICS_VERSION}.csv"'
        in response["Content-Disposition"]
    )
    assert "no-store" in response["Cache-Control"]
    lines = _csv(response)
    assert [(line["breakdown"], line["value"], line["label"], line["contexts"]) for line in lines] == [
        ("overall", "", "Everyone", "9"),
        ("organisation", str(personas.org_a.pk), "Alpha Clinic", "6"),
        ("organisation", str(personas.org_b.pk), "Beta Service", "fewer than 5"),
    ]  # no line per person: there is no rows download for a lead


def test_the_pdf_is_the_pages_figures_under_the_programmes_name(personas):
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    _recovered(personas.org_a, 6)
    _recovered(personas.org_b, 3)
    response = logged_in(lead).get(_url("programme-outcomes-pdf"), {**PERIOD, "by": "organisation"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        f'filename="iptriad-outcomes-north-2026-01-01-to-2026-12-31-v{METRICS_VERSION}.pdf"'
        in (response["Content-Disposition"])
    )
    assert "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Programme: Northern Programme Organisations: Alpha Clinic, Beta Service" in text
    assert "By organisation" in text
    assert "Beta Service 3" not in text
    assert "Beta Service fewer than 5" in text


def test_the_page_links_the_csv_and_the_pdf_and_the_rows_csv_is_not_there(personas):
    lead = lead_of(programme_of(personas.org_a))
    response, html = _page(lead, **PERIOD, by="organisation")
    query = "start=2026-01-01&amp;end=2026-12-31&amp;by=organisation"
    assert f'href="{_url("programme-outcomes-csv")}?{query}"' in html
    assert f'href="{_url("programme-outcomes-pdf")}?{query}"' in html
    assert response.context["downloads"]["rows"] is None
    assert ROWS_CSV not in html
    assert logged_in(lead).get(_url() + ROWS_CSV, PERIOD).status_code == 404


def test_another_programme_and_a_missing_one_are_both_404(personas):
    programme_of(personas.org_b, slug="south", name="South")
    lead = lead_of(programme_of(personas.org_a))
    http = logged_in(lead)
    for slug in ("south", "nowhere"):
        for name in ("programme-outcomes", "programme-outcomes-csv", "programme-outcomes-pdf"):
            assert http.get(_url(name, slug), PERIOD).status_code == 404, (slug, name)


def test_a_member_who_leads_nothing_gets_403_on_the_list_and_404_on_a_programme(personas):
    programme_of(personas.org_a)
    http = logged_in(personas.supervisor_a)
    response = http.get(reverse("programme-list"))
    assert response.status_code == 403
    assert "You lead no programme" in response.content.decode()
    assert http.get(_url()).status_code == 404


def test_the_pages_only_read(personas):
    lead = lead_of(programme_of(personas.org_a))
    http = logged_in(lead)
    for url in (reverse("programme-list"), _url(), _url("programme-outcomes-csv"), _url("programme-outcomes-pdf")):
        assert http.post(url).status_code == 405
    anonymous = HttpClient().get(_url())
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))


def test_the_list_names_each_programme_and_its_organisations(personas):
    north = programme_of(personas.org_a, personas.org_b)
    lead = lead_of(north)
    programme_of(personas.org_b, slug="south", name="Southern Programme").leads.add(lead)
    programme_of(personas.org_b, slug="east", name="Eastern Programme")  # not theirs
    content = logged_in(lead).get(reverse("programme-list")).content.decode()
    assert f'href="{_url()}"' in content
    assert "Alpha Clinic, Beta Service" in content
    assert "Southern Programme" in content
    assert "Eastern Programme" not in content


@pytest.mark.parametrize("by", ["organisation", "therapist"])
def test_the_page_costs_the_same_queries_for_1_and_30_rows_per_organisation(personas, by):
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    http = logged_in(lead)
    query = {**PERIOD, "by": by}
    _recovered(personas.org_a, 1, therapist=personas.therapist_a)
    _recovered(personas.org_b, 1, therapist=personas.therapist_b)
    http.get(_url(), query)  # the session warm
    with CaptureQueriesContext(connection) as few:
        assert http.get(_url(), query).status_code == 200
    _recovered(personas.org_a, 29, therapist=personas.therapist_a2)
    _recovered(personas.org_b, 29, therapist=personas.therapist_b)
    with CaptureQueriesContext(connection) as many:
        assert http.get(_url(), query).status_code == 200
    assert len(many) == len(few)
    # Bounded: the session, the user and their device and memberships; the programme and its organisations; one
    # aggregate, one breakdown and its labels; and per organisation its audit event (three statements in a savepoint
    # on SQLite, one on PostgreSQL: decision 0040).
    assert len(few) <= 11 + 3 * 2


def test_hostile_query_values_are_refused_or_ignored_never_a_500(personas):
    # The pages read `start`, `end` and `by` (through ReportChoiceForm); the values of the query-parameter suite.
    from tests.security.test_query_parameters import HOSTILE, SORT_NAMES

    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    _recovered(personas.org_a, 5)
    http = logged_in(lead)
    for name in ("programme-outcomes", "programme-outcomes-csv", "programme-outcomes-pdf"):
        url = _url(name)
        for parameter in ("start", "end", "by", *SORT_NAMES):
            for value in HOSTILE:
                response = http.get(url, {**PERIOD, parameter: value})
                assert response.status_code in (200, 400), (url, parameter, value[:40], response.status_code)
                if response.streaming:
                    response.getvalue()  # read to its end, as a browser does
                elif response.status_code == 200 and parameter in SORT_NAMES and name == "programme-outcomes":
                    assert response.context["figures"] is not None  # ignored: the figures as without it
        repeated = http.get(url + "?start=&end=&by=sex&by=__class__")  # the last value counts, and is refused
        if name == "programme-outcomes":
            assert repeated.status_code == 200
            assert repeated.context["figures"] is None
        else:
            assert repeated.status_code == 400
