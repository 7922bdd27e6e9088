import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.audit.chain import append_statements
from iptriad.measures.models import Administration, RiskAlert, SelfReportLink
from iptriad.measures.services import administration_record, self_report_link_create
from tests.conftest import logged_in, make_client
from tests.courses.factories import full_course, make_course
from tests.measures.factories import PHQ9_NO_RISK, PHQ9_WITH_RISK

pytestmark = pytest.mark.django_db


def phq9_form(answers: list[int]) -> dict[str, str]:
    return {f"item_{number}": str(position) for number, position in enumerate(answers, start=1)}


def new_link(personas) -> str:
    _, token = self_report_link_create(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9"
    )
    return reverse("self-report", args=[token])


def test_the_self_report_page_shows_only_the_questionnaire(personas):
    page = HttpClient().get(new_link(personas))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Little interest or pleasure in doing things" in html
    assert personas.client_a.family_name not in html  # nothing identifies the client on the page
    assert "Log out" not in html
    assert "Clients" not in html
    assert "no-store" in page["Cache-Control"]


def test_a_half_filled_self_report_is_refused_and_stores_nothing(personas):
    url = new_link(personas)
    response = HttpClient().post(url, phq9_form([1, 1, 1]))
    assert response.status_code == 400
    assert "Choose an answer for this question." in response.content.decode()
    assert not Administration.objects.exists()


def test_a_positive_item_9_shows_the_crisis_contacts_and_opens_an_alert(personas):
    personas.org_a.crisis_contacts = "Call Alpha Crisis Line 0000 on any day."
    personas.org_a.save()
    response = HttpClient().post(new_link(personas), phq9_form(PHQ9_WITH_RISK))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Call Alpha Crisis Line 0000 on any day." in html
    assert RiskAlert.objects.filter(client=personas.client_a, item_number=9, closed_at__isnull=True).exists()


def test_no_crisis_contacts_without_a_positive_item(personas):
    response = HttpClient().post(new_link(personas), phq9_form(PHQ9_NO_RISK))
    assert "If you are thinking about harming yourself" not in response.content.decode()


def test_a_used_link_shows_the_thanks_again_and_is_never_answered_twice(personas):
    url = new_link(personas)
    HttpClient().post(url, phq9_form(PHQ9_NO_RISK))
    again = HttpClient().get(url)
    assert again.status_code == 200
    assert "Thank you" in again.content.decode()
    assert "Send my answers" not in again.content.decode()
    assert HttpClient().post(url, phq9_form(PHQ9_NO_RISK)).status_code == 200
    assert Administration.objects.count() == 1


def test_a_therapist_creates_a_link_and_sees_it_once(personas):
    http = logged_in(personas.therapist_a)
    response = http.post(
        reverse("measures-link-create", args=[personas.client_a.pk]), {"instrument": "phq9", "valid_days": "3"}
    )
    first = http.get(response["Location"]).content.decode()
    url = re.search(r'value="(http://testserver/r/[^"]+/)"', first)
    assert url is not None
    assert HttpClient().get(url.group(1)).status_code == 200
    second = http.get(response["Location"]).content.decode()
    assert "/r/" not in second
    assert "cannot be shown again" in second
    assert SelfReportLink.objects.get().expires_at is not None


def test_a_therapist_records_a_measure_and_must_mark_skipped_items(personas):
    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk]) + "?instrument=phq9"
    incomplete = http.post(url, phq9_form([1, 1, 1, 1, 1, 1, 1, 1]))
    assert incomplete.status_code == 400
    form = {**phq9_form([1, 1, 1, 1, 1, 1, 1, 1]), "item_9": "-", "item_10": "-"}
    response = http.post(url, form)
    administration = Administration.objects.get()
    assert response.status_code == 302
    assert administration.critical_not_answered == [9]
    page = http.get(response["Location"]).content.decode()
    assert "Not answered" in page


def test_a_measure_recorded_in_a_session_belongs_to_it(personas):
    records = full_course(personas.client_a, personas.therapist_a)
    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk])
    url += f"?instrument=phq9&occasion={records.session.occasion_id}"
    assert "Recorded in session 1 of the IPT course (1 Sep 2026)." in http.get(url).content.decode()
    assert http.post(url, {**phq9_form(PHQ9_NO_RISK), "item_10": "-"}).status_code == 302
    administration = Administration.objects.get()
    assert (administration.context, administration.occasion) == (
        records.course.treatment_context,
        records.session.occasion,
    )


def test_a_session_of_another_course_is_a_404_on_the_record_page(personas):
    other = full_course(make_client(personas.org_a, "A-0880", personas.therapist_a2), personas.therapist_a2)
    url = (
        reverse("measures-record", args=[personas.client_a.pk])
        + f"?instrument=phq9&occasion={other.session.occasion_id}"
    )
    assert logged_in(personas.therapist_a).get(url).status_code == 404


def test_open_alerts_lead_the_therapist_and_supervisor_home_pages_until_closed(personas):
    administration_record(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=PHQ9_WITH_RISK
    )
    for user in (personas.therapist_a, personas.supervisor_a):
        html = logged_in(user).get(reverse("home")).content.decode()
        assert "Open risk alerts" in html
        assert html.index("Open risk alerts") < html.index("</h1>") + 2000
    assert "Open risk alerts" not in logged_in(personas.therapist_a2).get(reverse("home")).content.decode()
    assert "Open risk alerts" not in logged_in(personas.admin_a).get(reverse("home")).content.decode()
    alert = RiskAlert.objects.get()
    closed = logged_in(personas.supervisor_a).post(
        reverse("alert-detail", args=[alert.pk]),
        {"risk_level": "low", "assessment": "Fleeting thoughts, no plan.", "action": "safety_plan"},
    )
    assert closed.status_code == 302
    assert "Open risk alerts" not in logged_in(personas.therapist_a).get(reverse("home")).content.decode()


def test_closing_an_alert_without_the_assessment_says_what_is_missing(personas):
    administration_record(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=PHQ9_WITH_RISK
    )
    alert = RiskAlert.objects.get()
    response = logged_in(personas.therapist_a).post(reverse("alert-detail", args=[alert.pk]), {"action": "other"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    alert.refresh_from_db()
    assert alert.is_open


# In a test's transaction: 4 on every member page (session, user, MFA device, memberships), and an audit event's
# statements (1 on PostgreSQL, 3 on SQLite: iptriad.audit.chain.append_statements).
PAGE_QUERIES = {
    # The client, its audit event, the latest course (none here, so no scores: 13 with one on SQLite), the last
    # administrations and links, and the open and last closed alerts in one query.
    "measures-client": 9 + append_statements(),
    "alert-list": 5,
    # The supervisor's: open alerts, the summary's version (its people, their counts and the gravest flagged cases are
    # kept built: iptriad.flags.dashboard.cache; none flagged here, so nothing audited), and one union of open groups
    # and own supervision actions.
    "home": 7,
}


@pytest.mark.parametrize("page", ["measures-client", "alert-list", "home"])
def test_clinical_pages_run_the_same_queries_for_1_and_20_alerts(personas, page):
    http = logged_in(personas.supervisor_a)
    url = reverse(page, args=[personas.client_a.pk]) if page == "measures-client" else reverse(page)

    def queries() -> int:
        http.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert http.get(url).status_code == 200
        return len(captured.captured_queries)

    administration_record(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=PHQ9_WITH_RISK
    )
    with_one = queries()
    for number in range(19):
        client = (
            make_client(personas.org_a, f"R-{number}", personas.therapist_a)
            if page != "measures-client"
            else personas.client_a
        )
        administration_record(
            actor=personas.actor(personas.therapist_a), client=client, code="phq9", answers=PHQ9_WITH_RISK
        )
    assert queries() == with_one == PAGE_QUERIES[page]


def test_a_therapist_records_a_week_of_the_srm5_diary(personas):
    from iptriad.measures.models import SocialRhythmEntry

    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk]) + "?instrument=srm5"
    page = http.get(url)
    assert "Get out of bed" in page.content.decode() or "bed" in page.content.decode().lower()
    form = {"week_start": "2026-11-02"}
    for day in range(1, 8):
        for activity, time in enumerate(("07:00", "07:30", "09:00", "19:00", "23:00"), start=1):
            form[f"d{day}_a{activity}"] = time
    form["d7_a5"] = ""  # did not go to bed at a usual time on day 7
    response = http.post(url, form)
    administration = Administration.objects.get(instrument_code="srm5")
    assert response.status_code == 302
    # 34 hits over 5 qualifying activities (bedtime happened on 6 days, all at the usual time): 6.8
    assert (administration.total, administration.subscales) == (Decimal("6.80"), {"activity_level_index": 34})
    assert SocialRhythmEntry.objects.filter(administration=administration).count() == 35
    assert SocialRhythmEntry.objects.get(administration=administration, day="2026-11-08", activity=5).minutes is None


def test_a_diary_week_in_the_future_is_refused(personas):
    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk]) + "?instrument=srm5"
    response = http.post(url, {"week_start": "2999-01-01", "d1_a1": "07:00"})
    assert response.status_code == 400
    assert "cannot end in the future" in response.content.decode()
    assert not Administration.objects.exists()


def test_the_measures_page_shows_every_open_alert_and_the_last_ten_closed(personas):
    for _ in range(14):
        administration_record(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=PHQ9_WITH_RISK
        )
    alerts = list(RiskAlert.objects.filter(client=personas.client_a).order_by("pk"))
    assert len(alerts) == 14
    for number, alert in enumerate(alerts[:12]):
        RiskAlert.objects.filter(pk=alert.pk).update(
            closed_at=alert.opened_at + dt.timedelta(hours=number),
            closed_by=personas.therapist_a,
            risk_level="low",
            action="other",
            assessment="Seen the same day",
        )
    response = logged_in(personas.therapist_a).get(reverse("measures-client", args=[personas.client_a.pk]))
    shown_open = [alert.pk for alert in response.context["alerts"]]
    shown_closed = [alert.pk for alert in response.context["closed_alerts"]]
    assert shown_open == [alerts[12].pk, alerts[13].pk]
    assert shown_closed == [alert.pk for alert in reversed(alerts[2:12])]  # newest closed first


def test_a_clinician_records_a_blank_item_9_and_the_page_says_why_there_is_no_total(personas):
    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk]) + "?instrument=phq9"
    response = http.post(url, {**phq9_form([3] * 8), "item_9": "-", "item_10": "-"})
    administration = Administration.objects.get()
    assert (administration.valid, administration.total) == (False, None)
    page = http.get(response["Location"]).content.decode()
    assert "No valid total" in page
    assert "risk item 9 not answered: a risk item is never filled in by prorating" in page
    listing = http.get(reverse("measures-client", args=[personas.client_a.pk])).content.decode()
    assert "a risk item is never filled in by prorating" in listing


def test_a_clinician_records_the_wsas_retired_choice_and_sees_the_total_out_of_32(personas):
    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk]) + "?instrument=wsas"
    form_page = http.get(url).content.decode()
    assert "Retired, or not working for reasons unrelated to the problem" in form_page
    response = http.post(url, {"item_1": "9", "item_2": "2", "item_3": "4", "item_4": "6", "item_5": "8"})
    administration = Administration.objects.get()
    assert (administration.total, administration.valid) == (Decimal(20), True)
    page = http.get(response["Location"]).content.decode()
    assert "items 2-5 only, out of 32" in page


def test_a_repeated_lifetime_attempt_shows_as_history_not_as_a_new_alert(personas):
    from tests.courses.factories import make_course

    make_course(personas.client_a, personas.therapist_a, adaptation="ipt_a")
    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk]) + "?instrument=phqa"
    form = {**phq9_form([0] * 9), "item_10": "1", "item_11": "0", "item_12": "1", "item_13": "0"}  # 13: Yes
    first = http.post(url, form, follow=True).content.decode()
    assert "a risk alert is open for this client" in first
    assert "Risk item 13" in first
    second = http.post(url, form, follow=True).content.decode()
    assert "a risk alert is open for this client" not in second
    assert "its alert was raised earlier in this course, so it is recorded as history" in second
    assert "History: item 13 (lifetime; alerted earlier in this course)" in second
    assert "Risk item 13" not in second
    assert RiskAlert.objects.filter(item_number=13).count() == 1


def test_a_clients_measures_page_lists_that_clients_rows_only_and_to_whoever_treats_them(personas):
    # The page reads the client's rows once the client is allowed (measures.selectors._rows_of_client): another
    # client's alert and scores of the same therapist stay off it, and a therapist who treats the client in an
    # open course without being assigned still sees them.
    other = make_client(personas.org_a, "OTHER-1", personas.therapist_a, given_name="Quentin")
    actor = personas.actor(personas.therapist_a)
    administration_record(actor=actor, client=other, code="phq9", answers=PHQ9_WITH_RISK)
    administration_record(actor=actor, client=personas.client_a, code="phq9", answers=PHQ9_NO_RISK)
    other_alert = RiskAlert.objects.get(client=other)
    treated = make_client(personas.org_a, "TREATED-1", None, given_name="Tamsin")
    make_course(treated, personas.therapist_a)
    administration_record(actor=actor, client=treated, code="phq9", answers=PHQ9_WITH_RISK)
    treated_alert = RiskAlert.objects.get(client=treated)

    own = logged_in(personas.therapist_a).get(reverse("measures-client", args=[personas.client_a.pk]))
    assert own.status_code == 200
    assert reverse("alert-detail", args=[other_alert.pk]) not in own.content.decode()
    assert len(own.context["administrations"]) == 1
    assert own.context["alerts"] == []

    page = logged_in(personas.therapist_a).get(reverse("measures-client", args=[treated.pk]))
    assert [alert.pk for alert in page.context["alerts"]] == [treated_alert.pk]
    assert reverse("alert-detail", args=[treated_alert.pk]) in page.content.decode()
    assert logged_in(personas.therapist_b).get(reverse("measures-client", args=[treated.pk])).status_code == 404
