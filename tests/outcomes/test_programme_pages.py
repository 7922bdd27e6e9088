"""The programme page: a lead's aggregates across the programme's organisations, broken down by organisation,
suppressed under 5, audited in each organisation's chain, the aggregates CSV and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.audit.models import AuditAction, AuditEvent
from tests.conftest import logged_in
from tests.outcomes.builders import outcome_row
from tests.outcomes.programmes import lead_of, programme_of

pytestmark = pytest.mark.django_db


def _page(slug: str = "north", query: str = "") -> str:
    return reverse("programme-outcomes", args=[slug]) + query


def _recovered(organisation, count: int, **fields) -> None:
    for _ in range(count):
        outcome_row(organisation, phq9=(18, 4), **fields)  # finished, at caseness, recovered reliably


def _row_of(content: str, label: str) -> str:
    """The text of the breakdown table's row headed by the label."""
    start = content.index(f'<th scope="row">{label}</th>')
    return content[start : content.index("</tr>", start)]


def test_a_lead_sees_the_counts_of_every_organisation_of_the_programme_and_each_one(personas):
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    _recovered(personas.org_a, 6)
    _recovered(personas.org_b, 7)
    response = logged_in(lead).get(_page())
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Northern Programme: outcomes</h1>" in content
    assert '<th scope="row">Finished</th><td data-label="Number">13</td>' in content
    assert '<th scope="row">Recovered</th><td data-label="Number">13</td>' in content
    assert "By organisation" in content
    assert '<td data-label="Finished">6</td>' in _row_of(content, "Alpha Clinic")
    assert '<td data-label="Finished">7</td>' in _row_of(content, "Beta Service")
    assert '<td data-label="Recovery rate">100.0%</td>' in _row_of(content, "Beta Service")


def test_a_lead_of_a_programme_of_one_organisation_never_sees_anothers_figures(personas):
    lead = lead_of(programme_of(personas.org_a))
    _recovered(personas.org_a, 6)
    _recovered(personas.org_b, 9)
    content = logged_in(lead).get(_page(query="?by=therapist")).content.decode()
    assert '<th scope="row">Finished</th><td data-label="Number">6</td>' in content
    assert "Beta Service" not in content
    assert personas.therapist_b.full_name not in content
    lines = logged_in(lead).get(reverse("programme-outcomes-csv", args=["north"])).getvalue().decode().splitlines()
    assert lines[1].startswith("overall,,Everyone,6,")
    assert not any("Beta" in line for line in lines)


def test_counts_under_five_show_as_fewer_than_5_and_their_rates_not_at_all(personas):
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    _recovered(personas.org_a, 6)
    _recovered(personas.org_b, 2)
    outcome_row(personas.org_b, phq9=(12, 19))  # one reliable deterioration
    content = logged_in(lead).get(_page()).content.decode()
    assert '<th scope="row">Reliable deterioration</th><td data-label="Number">fewer than 5</td>' in content
    beta = _row_of(content, "Beta Service")
    assert '<td data-label="Finished">fewer than 5</td>' in beta
    assert '<td data-label="Recovery rate">not shown</td>' in beta
    assert '<td data-label="Finished">6</td>' in _row_of(content, "Alpha Clinic")


def test_the_period_and_the_breakdown_are_chosen_on_the_page(personas):
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    _recovered(personas.org_a, 5, ended_on=dt.date(2026, 3, 1), sex="female")
    _recovered(personas.org_a, 6, ended_on=dt.date(2026, 9, 1), sex="male")
    http = logged_in(lead)
    content = http.get(_page(query="?start=2026-06-01&end=2026-12-31&by=sex")).content.decode()
    assert '<th scope="row">Finished</th><td data-label="Number">6</td>' in content
    assert "By sex" in content
    assert "By organisation" not in http.get(_page(query="?by=")).content.decode()
    reversed_period = http.get(_page(query="?start=2026-12-01&end=2026-01-01"))
    assert reversed_period.status_code == 400
    assert "The period ends before it starts." in reversed_period.content.decode()
    assert http.get(_page(query="?by=client")).status_code == 400
    assert http.get(_page(query="?start=yesterday")).status_code == 400
    assert http.get(reverse("programme-outcomes-csv", args=["north"]) + "?by=client").status_code == 400


def test_each_view_and_download_is_audited_in_each_organisations_chain(personas):
    programme = programme_of(personas.org_a, personas.org_b)
    lead = lead_of(programme)
    http = logged_in(lead)
    http.get(_page(query="?start=2026-01-01&by=sex"))
    viewed = AuditEvent.objects.filter(action=AuditAction.PROGRAMME_OUTCOMES_VIEWED).order_by("organisation_id")
    assert [event.organisation_id for event in viewed] == sorted([personas.org_a.pk, personas.org_b.pk])
    assert {event.actor_id for event in viewed} == {lead.pk}
    assert viewed[0].detail == {"programme": programme.pk, "start": "2026-01-01", "end": None, "by": "sex"}
    http.get(reverse("programme-outcomes-csv", args=["north"])).getvalue()
    assert AuditEvent.objects.filter(action=AuditAction.PROGRAMME_OUTCOMES_EXPORTED).count() == 2


def test_the_download_is_the_aggregates_suppressed_never_a_row(personas):
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    _recovered(personas.org_a, 6)
    _recovered(personas.org_b, 3)
    response = logged_in(lead).get(reverse("programme-outcomes-csv", args=["north"]) + "?end=2026-12-31")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="iptriad-outcomes-north-start-to-2026-12-31-v' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    lines = response.getvalue().decode().splitlines()
    assert lines[0].startswith("breakdown,value,label,contexts,")
    assert lines[1].startswith("overall,,Everyone,9,")
    assert lines[2].startswith(f"organisation,{personas.org_a.pk},Alpha Clinic,6,")
    assert lines[3].startswith(f"organisation,{personas.org_b.pk},Beta Service,fewer than 5,")
    assert len(lines) == 4  # no line per person: there is no rows download for a lead


def test_another_programme_and_a_missing_one_are_both_404(personas):
    programme_of(personas.org_b, slug="south", name="South")
    lead = lead_of(programme_of(personas.org_a))
    http = logged_in(lead)
    for slug in ("south", "nowhere"):
        assert http.get(_page(slug)).status_code == 404
        assert http.get(reverse("programme-outcomes-csv", args=[slug])).status_code == 404


def test_a_member_who_leads_nothing_gets_403_on_the_list_and_404_on_a_programme(personas):
    programme_of(personas.org_a)
    http = logged_in(personas.supervisor_a)
    response = http.get(reverse("programme-list"))
    assert response.status_code == 403
    assert "You lead no programme" in response.content.decode()
    assert http.get(_page()).status_code == 404


def test_the_pages_only_read(personas):
    lead = lead_of(programme_of(personas.org_a))
    http = logged_in(lead)
    for url in (reverse("programme-list"), _page(), reverse("programme-outcomes-csv", args=["north"])):
        assert http.post(url).status_code == 405
    anonymous = HttpClient().get(_page())
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))


def test_the_list_names_each_programme_and_its_organisations(personas):
    north = programme_of(personas.org_a, personas.org_b)
    lead = lead_of(north)
    programme_of(personas.org_b, slug="south", name="Southern Programme").leads.add(lead)
    programme_of(personas.org_b, slug="east", name="Eastern Programme")  # not theirs
    content = logged_in(lead).get(reverse("programme-list")).content.decode()
    assert f'href="{_page()}"' in content
    assert "Alpha Clinic, Beta Service" in content
    assert "Southern Programme" in content
    assert "Eastern Programme" not in content


@pytest.mark.parametrize("by", ["organisation", "therapist"])
def test_the_page_costs_the_same_queries_for_1_and_30_rows_per_organisation(personas, by):
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    http = logged_in(lead)
    _recovered(personas.org_a, 1, therapist=personas.therapist_a)
    _recovered(personas.org_b, 1, therapist=personas.therapist_b)
    http.get(_page(query=f"?by={by}"))  # the session warm
    with CaptureQueriesContext(connection) as few:
        assert http.get(_page(query=f"?by={by}")).status_code == 200
    _recovered(personas.org_a, 29, therapist=personas.therapist_a2)
    _recovered(personas.org_b, 29, therapist=personas.therapist_b)
    with CaptureQueriesContext(connection) as many:
        assert http.get(_page(query=f"?by={by}")).status_code == 200
    assert len(many) == len(few)
    # Bounded: the session, the user and their device and memberships; the programme and its organisations; one
    # aggregate, one breakdown and its labels; and per organisation its audit event (three statements, in a savepoint).
    assert len(few) <= 11 + 3 * 2


def test_hostile_query_values_are_refused_or_ignored_never_a_500(personas):
    # The pages read `start`, `end` and `by` (through ProgrammeReportForm); the values of the query-parameter suite.
    from tests.security.test_query_parameters import HOSTILE, SORT_NAMES

    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    _recovered(personas.org_a, 5)
    http = logged_in(lead)
    for url in (_page(), reverse("programme-outcomes-csv", args=["north"])):
        for parameter in ("start", "end", "by", *SORT_NAMES):
            for value in HOSTILE:
                response = http.get(url, {parameter: value})
                assert response.status_code in (200, 400), (url, parameter, value[:40], response.status_code)
                if response.status_code == 200 and parameter in SORT_NAMES:
                    assert response.streaming or b"Alpha Clinic" in response.content
        assert http.get(url + "?by=sex&by=__class__").status_code == 400


def test_every_count_of_the_report_has_a_label_on_the_page():
    from iptriad.core.metrics import CohortCounts
    from iptriad.outcomes.programme_views import COUNT_LABELS

    assert set(COUNT_LABELS) == set(CohortCounts.count_names())
