"""A client's positive critical answer that reaches the server is never discarded, over plain HTTP.

Incomplete, on a link withdrawn or expired, or sent twice: the answer is kept with one alert saying how it arrived,
and the client sees the crisis contacts with each answer said back in the instrument's own plain wording.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.measures.models import Administration, AlertArrival, RiskAlert, SelfReportLink
from iptriad.measures.services import (
    SelfReportOutcome,
    self_report_link_create,
    self_report_link_revoke,
    self_report_receive,
)
from tests.conftest import Personas, logged_in
from tests.measures.factories import PHQ9_NO_RISK, PHQ9_WITH_RISK

pytestmark = pytest.mark.django_db

CRISIS = "Call Alpha Crisis Line 0000 on any day."
PHQ9_ITEM_9 = "You said you have had thoughts that you would be better off dead, or of hurting yourself in some way."
# PHQ-9 with item 9 at "Several days" and item 3 left blank.
PHQ9_RISK_ITEM_3_BLANK: list[int | None] = [1, 1, None, 1, 1, 1, 1, 2, 1]


def form(answers: Sequence[int | None]) -> dict[str, str]:
    return {f"item_{number}": str(position) for number, position in enumerate(answers, start=1) if position is not None}


def link(personas: Personas, code: str = "phq9", days: int = 7) -> tuple[SelfReportLink, str]:
    personas.org_a.crisis_contacts = CRISIS
    personas.org_a.save()
    made, token = self_report_link_create(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code=code, valid_days=days
    )
    return made, reverse("self-report", args=[token])


def stored() -> tuple[int, int]:
    return Administration.objects.count(), RiskAlert.objects.count()


def checked(html: str) -> dict[str, str]:
    """The radio buttons the page shows chosen, by question."""
    return dict(re.findall(r'<input type="radio" name="(item_\d+)" value="(\d+)"[^>]*checked', html))


class TestIncomplete:
    def test_a_risk_answer_with_an_item_blank_is_kept_with_its_alert_and_the_form_asks_for_the_rest(self, personas):
        sent, url = link(personas)
        response = HttpClient().post(url, form(PHQ9_RISK_ITEM_3_BLANK))
        html = response.content.decode()
        assert response.status_code == 400
        assert CRISIS in html
        assert PHQ9_ITEM_9 in html
        assert "Choose an answer for this question." in html
        assert checked(html) == form(PHQ9_RISK_ITEM_3_BLANK)  # what they gave is still filled in
        # Kept, not scored: no administration, the answers on the link, an alert saying how it arrived.
        assert stored() == (0, 1)
        alert = RiskAlert.objects.get()
        assert (alert.item_number, alert.answer_position, alert.arrival, alert.administration, alert.link_id) == (
            9, 1, AlertArrival.INCOMPLETE_SELF_REPORT, None, sent.pk,
        )  # fmt: skip
        assert alert.summary == "PHQ-9 item 9 answered “Several days”, on an incomplete self-report"
        assert alert.client == personas.client_a
        sent.refresh_from_db()
        assert (sent.held_answers, sent.used_at) == ([*PHQ9_RISK_ITEM_3_BLANK, None], None)  # the link stays usable
        audited = set(AuditEvent.objects.values_list("action", flat=True))
        assert {AuditAction.LINK_ANSWERS_KEPT, AuditAction.ALERT_OPENED} <= audited

    def test_completing_later_stores_one_administration_and_no_second_alert(self, personas):
        sent, url = link(personas)
        HttpClient().post(url, form(PHQ9_RISK_ITEM_3_BLANK))
        back = HttpClient().get(url)  # the client comes back later: their answers are filled in again
        assert checked(back.content.decode()) == form(PHQ9_RISK_ITEM_3_BLANK)
        assert CRISIS in back.content.decode()
        done = HttpClient().post(url, form(PHQ9_WITH_RISK))
        assert done.status_code == 200
        assert "Thank you" in done.content.decode()
        assert CRISIS in done.content.decode()
        assert stored() == (1, 1)
        alert = RiskAlert.objects.get()
        assert alert.administration == Administration.objects.get()  # the alert joins the completed questionnaire
        sent.refresh_from_db()
        assert (sent.held_answers, sent.administration) == ([], alert.administration)

    def test_a_different_risk_answer_on_completion_opens_its_own_alert(self, personas):
        _, url = link(personas)
        HttpClient().post(url, form(PHQ9_RISK_ITEM_3_BLANK))
        HttpClient().post(url, form([*PHQ9_WITH_RISK[:8], 3]))  # item 9 now "Nearly every day"
        assert stored() == (1, 2)
        assert set(RiskAlert.objects.values_list("answer_position", "arrival")) == {
            (1, AlertArrival.INCOMPLETE_SELF_REPORT),
            (3, AlertArrival.COMPLETE),
        }

    def test_an_incomplete_form_sent_twice_opens_one_alert(self, personas):
        _, url = link(personas)
        HttpClient().post(url, form(PHQ9_RISK_ITEM_3_BLANK))
        HttpClient().post(url, form(PHQ9_RISK_ITEM_3_BLANK))
        assert stored() == (0, 1)

    def test_without_a_risk_answer_nothing_is_kept(self, personas):
        sent, url = link(personas)
        response = HttpClient().post(url, form([1, 1, None, 1, 1, 1, 1, 2, 0]))
        assert response.status_code == 400
        assert CRISIS not in response.content.decode()
        assert stored() == (0, 0)
        sent.refresh_from_db()
        assert sent.held_answers == []


class TestInactiveLink:
    def test_a_risk_answer_on_a_link_that_expired_while_open_is_kept_with_its_alert(self, personas, time_machine):
        time_machine.move_to(dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC))
        sent, url = link(personas, days=1)
        time_machine.move_to(dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC))
        response = HttpClient().post(url, form(PHQ9_WITH_RISK))
        html = response.content.decode()
        assert response.status_code == 410
        assert "This link is no longer active" in html
        assert "expired" in html
        assert CRISIS in html
        assert PHQ9_ITEM_9 in html
        assert stored() == (0, 1)  # the risk answer, not a scored questionnaire
        alert = RiskAlert.objects.get()
        assert (alert.arrival, alert.link_id, alert.administration) == (AlertArrival.INACTIVE_LINK, sent.pk, None)
        assert alert.summary.endswith(", on a self-report link no longer active")
        sent.refresh_from_db()
        assert sent.held_answers == [*PHQ9_WITH_RISK, None]  # item 10 (difficulty) left blank
        HttpClient().post(url, form(PHQ9_WITH_RISK))  # sent again: still one alert
        assert stored() == (0, 1)

    def test_a_risk_answer_on_a_withdrawn_link_is_kept_even_when_incomplete(self, personas):
        sent, url = link(personas)
        self_report_link_revoke(actor=personas.actor(personas.therapist_a), link=sent)
        response = HttpClient().post(url, form(PHQ9_RISK_ITEM_3_BLANK))
        assert response.status_code == 410
        assert "withdrawn" in response.content.decode()
        assert CRISIS in response.content.decode()
        assert RiskAlert.objects.get().arrival == AlertArrival.INACTIVE_LINK

    def test_without_a_risk_answer_the_page_says_the_link_is_no_longer_active_and_nothing_is_kept(self, personas):
        sent, url = link(personas)
        self_report_link_revoke(actor=personas.actor(personas.therapist_a), link=sent)
        for response in (HttpClient().get(url), HttpClient().post(url, form(PHQ9_NO_RISK))):
            html = response.content.decode()
            assert response.status_code == 410
            assert "This link is no longer active" in html
            assert "withdrawn" in html
            assert CRISIS not in html
        assert stored() == (0, 0)
        sent.refresh_from_db()
        assert sent.held_answers == []


class TestRetry:
    def test_a_retry_after_a_risk_answer_shows_the_same_page_and_stores_nothing_more(self, personas):
        _, url = link(personas)
        first = HttpClient().post(url, form(PHQ9_WITH_RISK))
        retry = HttpClient().post(url, form(PHQ9_WITH_RISK))  # a phone that never saw the first reply
        assert (first.status_code, retry.status_code) == (200, 200)
        for response in (first, retry):
            html = response.content.decode()
            assert "Thank you" in html
            assert CRISIS in html
            assert PHQ9_ITEM_9 in html
        assert stored() == (1, 1)

    def test_a_retry_without_a_risk_answer_shows_the_thanks_without_the_crisis_section(self, personas):
        _, url = link(personas)
        HttpClient().post(url, form(PHQ9_NO_RISK))
        retry = HttpClient().post(url, form(PHQ9_NO_RISK))
        assert retry.status_code == 200
        assert "Thank you" in retry.content.decode()
        assert CRISIS not in retry.content.decode()
        assert stored() == (1, 0)

    def test_a_new_risk_answer_sent_to_a_used_link_is_still_kept(self, personas):
        _, url = link(personas)
        HttpClient().post(url, form(PHQ9_NO_RISK))
        response = HttpClient().post(url, form(PHQ9_WITH_RISK))  # changed and sent again from the browser history
        assert CRISIS in response.content.decode()
        assert stored() == (1, 1)
        assert RiskAlert.objects.get().arrival == AlertArrival.INACTIVE_LINK


class TestWording:
    # PHQ-A: items 1-9 "Not at all", 10 No, 11 "Not difficult at all", 12 No, 13 Yes (a lifetime attempt).
    PHQA_LIFETIME_ATTEMPT_ONLY = [0] * 9 + [1, 0, 1, 0]

    def test_a_lifetime_attempt_is_said_back_as_what_it_is(self, personas):
        _, url = link(personas, code="phqa")
        response = HttpClient().post(url, form(self.PHQA_LIFETIME_ATTEMPT_ONLY))
        html = response.content.decode()
        assert response.status_code == 200
        assert "You said that at some time in your life you have tried to end your life." in html
        assert "thoughts of harming yourself" not in html
        assert "better off dead" not in html
        assert CRISIS in html

    def test_each_positive_critical_item_is_said_back(self, personas):
        _, url = link(personas, code="phqa")
        all_three = [0] * 8 + [1, 1, 0, 0, 0]
        html = HttpClient().post(url, form(all_three)).content.decode()
        assert html.count("<p>You said ") == 3


def test_the_service_keeps_a_risk_answer_in_one_transaction_with_its_alert(personas):
    _, token = self_report_link_create(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9"
    )
    receipt = self_report_receive(token=token, answers=PHQ9_RISK_ITEM_3_BLANK, ip_address="198.51.100.4")
    assert (receipt.outcome, receipt.missing, receipt.critical) == (SelfReportOutcome.INCOMPLETE, (3,), (9,))
    opened = AuditEvent.objects.get(action=AuditAction.ALERT_OPENED)
    assert (opened.actor, opened.ip_address) == (None, "198.51.100.4")


def test_the_clinician_sees_how_the_alert_arrived_and_the_answers_kept_until_completed(personas):
    _, url = link(personas)
    HttpClient().post(url, form(PHQ9_RISK_ITEM_3_BLANK))
    alert = RiskAlert.objects.get()
    therapist = logged_in(personas.therapist_a)
    page = therapist.get(reverse("alert-detail", args=[alert.pk])).content.decode()
    assert "Incomplete self-report (not yet completed)" in page
    assert "Answers kept with this alert" in page
    assert re.search(r"<td>3\. [^<]+</td><td>Not answered</td>", page)
    assert re.search(r"<td>9\. [^<]+</td><td>Several days</td>", page)
    HttpClient().post(url, form(PHQ9_WITH_RISK))
    page = therapist.get(reverse("alert-detail", args=[alert.pk])).content.decode()
    assert "Answers kept with this alert" not in page  # the completed questionnaire holds them now
    assert reverse("measures-administration", args=[Administration.objects.get().pk]) in page


def test_the_api_says_how_the_alert_arrived(personas):
    _, url = link(personas)
    HttpClient().post(url, form(PHQ9_RISK_ITEM_3_BLANK))
    alert = RiskAlert.objects.get()
    response = logged_in(personas.therapist_a).get(f"/api/v1/alerts/{alert.pk}")
    assert response.status_code == 200
    assert (response.json()["arrival"], response.json()["administration_id"]) == ("incomplete_self_report", None)


class TestLifetimeAnswerOnALink:
    """PHQ-A item 13 ("EVER tried to kill yourself") alerts once per course, however its answers arrive: kept from an
    incomplete form, then completed, it is one alert; known already in the course, it is kept but opens none."""

    YES, NO = 0, 1

    def phqa(self, *, ever: int, blank_item: int | None = None) -> list[int | None]:
        answers: list[int | None] = [*([0] * 9), self.NO, 0, self.NO, ever]
        if blank_item is not None:
            answers[blank_item - 1] = None
        return answers

    def test_an_attempt_kept_from_an_incomplete_form_then_completed_is_one_alert_and_not_history(self, personas):
        from tests.courses.factories import make_course

        course = make_course(personas.client_a, personas.therapist_a, adaptation="ipt_a")
        _, url = link(personas, code="phqa")
        assert HttpClient().post(url, form(self.phqa(ever=self.YES, blank_item=3))).status_code == 400
        assert HttpClient().post(url, form(self.phqa(ever=self.YES))).status_code == 200
        administration = Administration.objects.get()
        alert = RiskAlert.objects.get()
        assert (alert.item_number, alert.administration, alert.context) == (
            13,
            administration,
            course.treatment_context,
        )
        assert (administration.critical_items, administration.critical_history) == ([13], [])

    def test_an_attempt_known_in_the_course_is_kept_on_an_inactive_link_without_a_second_alert(self, personas):
        from tests.courses.factories import make_course

        make_course(personas.client_a, personas.therapist_a, adaptation="ipt_a")
        _, first_url = link(personas, code="phqa")
        assert HttpClient().post(first_url, form(self.phqa(ever=self.YES))).status_code == 200
        assert stored() == (1, 1)
        second, second_url = link(personas, code="phqa")
        self_report_link_revoke(actor=personas.actor(personas.therapist_a), link=second)
        response = HttpClient().post(second_url, form(self.phqa(ever=self.YES)))
        assert response.status_code == 410
        assert CRISIS in response.content.decode()  # the client still sees where help is
        second.refresh_from_db()
        assert second.held_answers == self.phqa(ever=self.YES)  # kept: a positive critical answer is never dropped
        assert stored() == (1, 1)  # history in this course, not a new alert


class TestArchivedClient:
    """Archiving a client withdraws their open links (issue 16, item 4): the page then says the link is no longer
    active, and a positive self-harm answer is still kept with its alert and the crisis contacts."""

    def test_archiving_withdraws_the_open_links_and_audits_each(self, personas):
        sent, url = link(personas)
        answered, answered_url = link(personas)
        assert HttpClient().post(answered_url, form(PHQ9_NO_RISK)).status_code == 200
        therapist = logged_in(personas.therapist_a)
        assert therapist.post(reverse("client-archive", args=[personas.client_a.pk])).status_code == 302

        sent.refresh_from_db()
        answered.refresh_from_db()
        assert sent.revoked_at is not None
        assert answered.revoked_at is None  # a used link has nothing left to withdraw
        withdrawn = AuditEvent.objects.filter(action=AuditAction.LINK_REVOKED, object_id=str(sent.pk))
        assert withdrawn.get().detail == {"reason": "client_archived"}

        opened = HttpClient().get(url)
        assert opened.status_code == 410
        assert "This link is no longer active" in opened.content.decode()

    def test_a_self_harm_answer_on_an_archived_clients_link_is_kept_with_its_alert(self, personas):
        sent, url = link(personas)
        logged_in(personas.therapist_a).post(reverse("client-archive", args=[personas.client_a.pk]))
        response = HttpClient().post(url, form(PHQ9_WITH_RISK))
        html = response.content.decode()
        assert response.status_code == 410
        assert CRISIS in html
        assert PHQ9_ITEM_9 in html
        alert = RiskAlert.objects.get()
        assert (alert.arrival, alert.link_id, alert.client) == (AlertArrival.INACTIVE_LINK, sent.pk, personas.client_a)
        assert not Administration.objects.exists()
