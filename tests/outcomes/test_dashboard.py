"""The outcomes dashboard: the figures of the current organisation's period and breakdown, suppressed; its form's
errors; who sees it and whose figures; a fixed number of queries; the audit of each read; the links to it.

Classified rows are written straight into the database (tests/outcomes/builders.py): the page only reads them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.accounts.models import Role
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.metrics import COUNT_DEFINITIONS, DECISIONS, METRICS_VERSION
from iptriad.outcomes.forms import ERROR_PERIOD
from iptriad.outcomes.presentation import Tile
from tests.conftest import logged_in
from tests.outcomes.builders import outcome_row

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-01-01", "end": "2026-12-31"}


def _cohort(personas, recovered: int = 6, deteriorated: int = 1) -> None:
    for _ in range(recovered):
        outcome_row(personas.org_a, therapist=personas.therapist_a, phq9=(18, 4), missed=1)
    for _ in range(deteriorated):
        outcome_row(personas.org_a, therapist=personas.therapist_a2, phq9=(12, 18))


def _page(user, **query) -> tuple[Any, str]:
    response = logged_in(user).get(reverse("outcomes"), query)
    assert response.status_code == 200
    return response, response.content.decode()


def _tiles(response) -> dict[str, Tile]:
    return {tile.key: tile for tile in response.context["figures"].tiles}


def test_it_shows_each_rate_with_its_counts_formula_and_source(personas):
    _cohort(personas)
    response, html = _page(personas.supervisor_a, **PERIOD)
    tiles = _tiles(response)
    recovery = tiles["recovery_rate"]
    assert (recovery.value, recovery.numerator, recovery.denominator) == ("85.7%", "6", "7")
    assert tiles["reliable_deterioration_rate"].value == "not shown"  # one person: under 5
    assert "85.7%" in html
    assert "6 of 7" in html
    assert "recovered / (finished - not at caseness at the start)" in html
    assert "NHS Talking Therapies definitions" in html
    assert METRICS_VERSION in html
    for decision in DECISIONS:
        assert decision.replace("'", "&#x27;") in html


def test_every_count_under_5_shows_as_fewer_than_5_with_its_definition(personas):
    _cohort(personas)
    response, html = _page(personas.supervisor_a, **PERIOD)
    counts = {line.key: line.value for line in response.context["figures"].counts}
    assert counts["finished"] == "7"
    assert counts["reliable_deterioration"] == "fewer than 5"
    assert counts["not_at_caseness"] == "fewer than 5"  # 0 too
    assert "1" not in set(counts.values())
    assert COUNT_DEFINITIONS["missing_end_score"] in html


def test_the_data_quality_panel_shows_paired_scores_missing_end_scores_and_missed_sessions(personas):
    _cohort(personas)  # 6 of them missed a session each
    for _ in range(5):
        outcome_row(personas.org_a, therapist=personas.therapist_a, phq9=(18, None))  # one score: no pair
    response, html = _page(personas.supervisor_a, **PERIOD)
    quality = response.context["figures"].quality
    assert (quality.paired.value, quality.paired.numerator, quality.finished) == ("58.3%", "7", "12")
    assert (quality.missing_end_score, quality.missed_sessions) == ("5", "6")
    assert "Data quality" in html


def test_the_period_and_the_breakdown_choose_the_figures(personas):
    _cohort(personas)
    for _ in range(5):
        outcome_row(personas.org_a, therapist=personas.therapist_a, phq9=(18, 4), ended_on=dt.date(2025, 3, 1))
    response, _ = _page(personas.supervisor_a, **PERIOD)
    assert _tiles(response)["recovery_rate"].denominator == "7"
    response, html = _page(personas.supervisor_a, start="2025-01-01", end="2025-12-31", by="therapist")
    figures = response.context["figures"]
    assert _tiles(response)["recovery_rate"].denominator == "5"
    assert figures.by == "Therapist"
    assert [line.label for line in figures.breakdown] == [str(personas.therapist_a)]
    response, html = _page(personas.supervisor_a, start="", end="", by="therapist")  # open at both ends
    figures = response.context["figures"]
    assert _tiles(response)["recovery_rate"].denominator == "12"
    lines = {line.label: line.cells for line in figures.breakdown}
    assert lines[str(personas.therapist_a)][:2] == ["11", "11"]  # contexts, finished
    assert lines[str(personas.therapist_a2)][:2] == ["fewer than 5", "fewer than 5"]
    assert "By therapist" in html
    # One chart of everyone, one per charted rate by the breakdown; each in words for a screen reader.
    assert [chart.slug for chart in figures.charts] == [
        "headline",
        "by-recovery_rate",
        "by-reliable_improvement_rate",
        "by-reliable_deterioration_rate",
    ]
    assert "Recovery rate by therapist, 0 to 100%: Tara Alpha: 100.0%; Tove Alpha: not shown" in html
    assert html.count('<svg role="img"') == 4


def test_it_opens_on_the_last_twelve_months(personas):
    outcome_row(personas.org_a, therapist=personas.therapist_a, phq9=(18, 4), ended_on=dt.date(2025, 12, 6))
    outcome_row(personas.org_a, therapist=personas.therapist_a, phq9=(18, 4), ended_on=dt.date(2025, 12, 7))
    with time_machine.travel(dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC), tick=False):
        response, html = _page(personas.supervisor_a)
    assert response.context["form"]["start"].value() == "2025-12-07"
    assert response.context["form"]["end"].value() == "2026-12-06"
    counts = {line.key: line.value for line in response.context["figures"].counts}
    assert counts["contexts"] == "fewer than 5"
    assert response.context["figures"].period == "7 December 2025 to 6 December 2026"
    assert 'value="2025-12-07"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-05-01", "end": "2026-01-01"}, ERROR_PERIOD),
        ({"start": "yesterday", "end": ""}, "Enter a valid date."),
        ({"start": "", "end": "", "by": "client"}, "Select a valid choice."),
        ({"start": "99999-01-01", "end": ""}, "Enter a valid date."),
    ],
)
def test_bad_input_is_a_form_error_and_shows_no_figures(personas, query, message):
    response, html = _page(personas.supervisor_a, **query)
    assert response.context["figures"] is None
    assert message in html
    assert "There is a problem to fix" in html
    assert not AuditEvent.objects.filter(action=AuditAction.OUTCOMES_VIEWED).exists()


@pytest.mark.parametrize(
    ("role", "status"), [(Role.ADMIN, 200), (Role.SUPERVISOR, 200), (Role.THERAPIST, 403), (Role.FACILITATOR, 403)]
)
def test_supervisors_and_administrators_see_it_therapists_and_facilitators_do_not(personas, role, status):
    _cohort(personas)
    response = logged_in(personas.member_of_a(role)).get(reverse("outcomes"), PERIOD)
    assert response.status_code == status
    if status == 200:
        assert _tiles(response)["recovery_rate"].value == "85.7%"


def test_each_organisation_sees_only_its_own_figures(personas):
    _cohort(personas, recovered=6)
    for _ in range(9):
        outcome_row(personas.org_b, therapist=personas.therapist_b, phq9=(20, 19))
    response, html = _page(personas.admin_b, **PERIOD, by="therapist")
    figures = response.context["figures"]
    assert figures.organisations == ["Beta Service"]
    assert _tiles(response)["recovery_rate"].denominator == "9"
    assert [line.label for line in figures.breakdown] == [str(personas.therapist_b)]
    assert "Tara Alpha" not in html
    response, html = _page(personas.supervisor_a, **PERIOD, by="therapist")
    assert _tiles(response)["recovery_rate"].denominator == "7"
    assert "Tomas Beta" not in html


def test_it_names_no_client(personas):
    _cohort(personas)
    row = outcome_row(personas.org_a, therapist=personas.therapist_a, phq9=(18, 4))
    _, html = _page(personas.admin_a, **PERIOD, by="therapist")
    for secret in (row.client.family_name, row.client.identifier, personas.client_a.family_name):
        assert secret not in html
    assert "/clients/" not in html.split("<main", 1)[1]


def test_a_read_is_audited_with_its_scope_not_its_figures(personas):
    _cohort(personas)
    _page(personas.admin_a, **PERIOD, by="sex")
    event = AuditEvent.objects.get(action=AuditAction.OUTCOMES_VIEWED)
    assert (event.actor_id, event.organisation_id) == (personas.admin_a.pk, personas.org_a.pk)
    assert event.detail == {
        "organisations": [personas.org_a.pk],
        "from": "2026-01-01",
        "to": "2026-12-31",
        "by": "sex",
        "metrics_version": METRICS_VERSION,
    }


def _queries(user, query) -> int:
    http = logged_in(user)
    http.get(reverse("outcomes"), query)  # the session's first request loads what later ones keep
    with CaptureQueriesContext(connection) as queries:
        assert http.get(reverse("outcomes"), query).status_code == 200
    return len(queries.captured_queries)


def test_it_costs_the_same_queries_for_few_rows_and_many(personas):
    query = {**PERIOD, "by": "therapist"}
    outcome_row(personas.org_a, therapist=personas.therapist_a, phq9=(18, 4))
    few = _queries(personas.supervisor_a, query)
    for therapist in (personas.therapist_a, personas.therapist_a2, personas.supervisor_a):
        for _ in range(20):
            outcome_row(personas.org_a, therapist=therapist, phq9=(18, 9), gad7=(12, 3), missed=2)
    assert _queries(personas.supervisor_a, query) == few


def test_the_nav_and_the_homes_of_supervisors_and_administrators_link_to_it(personas):
    url = reverse("outcomes")
    for user in (personas.supervisor_a, personas.admin_a):
        home = logged_in(user).get(reverse("home")).content.decode()
        assert f'href="{url}"' in home.split("</header>", 1)[1], user  # the home's own link
        assert f'href="{url}"' in home.split("</header>", 1)[0], user  # the nav's
    for user in (personas.therapist_a, personas.facilitator_a):
        assert f'href="{url}"' not in logged_in(user).get(reverse("home")).content.decode()
