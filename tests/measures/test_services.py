import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iptriad.accounts.tokens import token_hash
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.instruments import instrument, instruments
from iptriad.measures import services
from iptriad.measures.models import Administration, AdministrationAnswer, Mode, RiskAlert, SelfReportLink
from iptriad.measures.services import (
    LinkUnavailableError,
    SelfReportOutcome,
    administration_record,
    risk_alert_close,
    risk_alert_open_concern,
    self_report_link_create,
    self_report_link_for_token,
    self_report_link_revoke,
    self_report_receive,
)
from tests.measures.factories import PHQ9_NO_RISK, PHQ9_WITH_RISK, self_report_submit

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return Administration.objects.count(), AdministrationAnswer.objects.count(), RiskAlert.objects.count()


class TestRecording:
    def test_it_stores_every_answer_with_the_instrument_version_and_the_server_score(self, personas):
        administration = administration_record(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=PHQ9_NO_RISK
        )
        assert (administration.instrument_version, administration.total, administration.band) == (
            instrument("phq9").version,
            Decimal("9"),
            "mild",
        )
        assert list(administration.answers.values_list("item_number", "position")) == list(
            enumerate(PHQ9_NO_RISK, start=1)
        )
        assert administration.mode == Mode.IN_SESSION
        assert not administration.risk_alerts.exists()

    def test_a_positive_critical_item_opens_an_alert_whatever_the_total(self, personas):
        answers = [0, 0, 0, 0, 0, 0, 0, 0, 1]  # total 1: "none / minimal", yet item 9 is positive
        administration = administration_record(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=answers
        )
        alert = RiskAlert.objects.get()
        assert (alert.client, alert.administration, alert.item_number) == (personas.client_a, administration, 9)
        assert alert.summary == "PHQ-9 item 9 answered “Several days”"
        assert alert.is_open

    def test_a_positive_critical_item_opens_an_alert_even_when_the_total_is_invalid(self, personas):
        answers = [None, None, None, 0, 0, 0, 0, 0, 3]
        administration = administration_record(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=answers
        )
        assert administration.valid is False
        assert administration.total is None
        assert RiskAlert.objects.filter(administration=administration, item_number=9).exists()

    def test_hamd_item_3_at_1_feels_life_is_not_worth_living_opens_an_alert(self, personas):
        answers = [0] * 17
        answers[2] = 1
        administration = administration_record(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="hamd17", answers=answers
        )
        alert = RiskAlert.objects.get()
        assert (alert.administration, alert.item_number) == (administration, 3)
        assert alert.summary == "HAM-D 17 item 3 answered “Feels life is not worth living.”"

    def test_a_missing_critical_item_is_kept_as_not_answered_never_as_zero(self, personas):
        answers = [1, 1, 1, 1, 1, 1, 1, 1, None]
        administration = administration_record(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=answers
        )
        assert administration.critical_not_answered == [9]
        item9 = administration.answers.get(item_number=9)
        assert (item9.position, item9.score) == (None, None)

    @pytest.mark.parametrize("code", [code for code, definition in instruments().items() if definition.critical_items])
    def test_every_critical_item_of_every_instrument_opens_an_alert(self, personas, code):
        definition = instrument(code)
        for item in definition.critical_items:
            answers: list[int | None] = [0] * len(definition.items)
            positive = next(
                position
                for position, option in enumerate(item.options)
                if option.score is not None and item.critical is not None and option.score >= item.critical.min_score
            )
            answers[item.number - 1] = positive
            administration = administration_record(
                actor=personas.actor(personas.therapist_a), client=personas.client_a, code=code, answers=answers
            )
            assert administration.risk_alerts.filter(item_number=item.number).exists(), (code, item.number)

    def test_bad_answers_write_nothing(self, personas):
        before = counts()
        with pytest.raises(ValidationError, match="phq9 takes 9 or 10 answers, not 3"):
            administration_record(
                actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=[1, 2, 3]
            )
        with pytest.raises(ValidationError):
            administration_record(
                actor=personas.actor(personas.therapist_a), client=personas.client_a, code="nope", answers=[1]
            )
        assert counts() == before

    @pytest.mark.parametrize("who", ["admin_a", "facilitator_a", "therapist_a2"])
    def test_it_refuses_who_may_not_record_for_this_client(self, personas, who):
        with pytest.raises(PermissionDenied):
            administration_record(
                actor=personas.actor(getattr(personas, who)),
                client=personas.client_a,
                code="phq9",
                answers=PHQ9_NO_RISK,
            )

    def test_it_audits_the_recording_and_the_alert(self, personas):
        administration_record(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=PHQ9_WITH_RISK
        )
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {AuditAction.MEASURE_RECORDED, AuditAction.ALERT_OPENED} <= actions


class TestSelfReportLinks:
    def test_only_a_hash_of_the_token_is_stored(self, personas):
        link, token = self_report_link_create(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9"
        )
        assert len(token) >= 40
        assert token not in link.token_hash
        assert link.token_hash == token_hash(token)
        assert not SelfReportLink.objects.filter(token_hash=token).exists()

    def test_a_client_answers_once_and_the_alert_opens(self, personas):
        _, token = self_report_link_create(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9"
        )
        administration = self_report_submit(token=token, answers=PHQ9_WITH_RISK, ip_address="198.51.100.4")
        assert (administration.mode, administration.recorded_by, administration.client) == (
            Mode.SELF_REPORT,
            None,
            personas.client_a,
        )
        assert administration.risk_alerts.count() == 1
        # Sent again (a retry): the first outcome again, never a second administration or alert.
        again = self_report_receive(token=token, answers=PHQ9_WITH_RISK, ip_address=None)
        assert (again.outcome, again.administration, again.critical) == (
            SelfReportOutcome.COMPLETED,
            administration,
            (9,),
        )
        assert (Administration.objects.count(), RiskAlert.objects.count()) == (1, 1)

    def test_an_expired_link_is_refused(self, personas, time_machine):
        time_machine.move_to(dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC))
        _, token = self_report_link_create(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", valid_days=2
        )
        time_machine.move_to(dt.datetime(2026, 11, 3, 9, 1, tzinfo=dt.UTC))
        with pytest.raises(LinkUnavailableError, match="expired"):
            self_report_link_for_token(token)

    def test_a_tampered_token_is_refused_without_saying_whose_it_was(self, personas):
        _, token = self_report_link_create(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9"
        )
        for tampered in (token[:-1] + ("A" if token[-1] != "A" else "B"), token + "x", "", "../../etc"):
            with pytest.raises(LinkUnavailableError) as refused:
                self_report_link_for_token(tampered)
            assert refused.value.reason == services.LINK_NOT_FOUND

    def test_a_withdrawn_link_is_refused(self, personas):
        actor = personas.actor(personas.therapist_a)
        link, token = self_report_link_create(actor=actor, client=personas.client_a, code="phq9")
        self_report_link_revoke(actor=actor, link=link)
        with pytest.raises(LinkUnavailableError, match="withdrawn"):
            self_report_link_for_token(token)

    def test_another_organisations_member_cannot_withdraw_a_link(self, personas):
        link, _ = self_report_link_create(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9"
        )
        with pytest.raises(PermissionDenied):
            self_report_link_revoke(actor=personas.actor(personas.therapist_b, personas.org_b), link=link)

    def test_answers_that_do_not_fit_the_instrument_store_nothing(self, personas):
        _, token = self_report_link_create(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9"
        )
        before = counts()
        with pytest.raises(ValidationError):
            self_report_receive(token=token, answers=[1, 1, 1], ip_address=None)
        assert counts() == before
        assert self_report_link_for_token(token).used_at is None  # still usable

    def test_a_half_filled_form_without_a_risk_answer_stores_nothing(self, personas):
        _, token = self_report_link_create(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9"
        )
        before = counts()
        receipt = self_report_receive(token=token, answers=[1, 1, None, 1, 1, 1, 1, 1, 0], ip_address=None)
        assert (receipt.outcome, receipt.missing, receipt.critical) == (SelfReportOutcome.INCOMPLETE, (3,), ())
        assert counts() == before
        assert self_report_link_for_token(token).held_answers == []

    @pytest.mark.parametrize(
        ("code", "message"),
        [("hamd17", services.ERROR_NOT_SELF_REPORT), ("epds", "licensed separately")],
    )
    def test_it_refuses_links_for_clinician_rated_or_unlicensed_text(self, personas, code, message):
        with pytest.raises(ValidationError, match=message):
            self_report_link_create(actor=personas.actor(personas.therapist_a), client=personas.client_a, code=code)

    @pytest.mark.parametrize("days", [0, 31])
    def test_it_refuses_a_link_open_too_long_or_not_at_all(self, personas, days):
        with pytest.raises(ValidationError, match="1 to 30 days"):
            self_report_link_create(
                actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", valid_days=days
            )


class TestAlerts:
    def test_an_alert_closes_only_with_assessment_level_and_action(self, personas):
        actor = personas.actor(personas.therapist_a)
        alert = risk_alert_open_concern(actor=actor, client=personas.client_a, concern="Spoke of giving things away.")
        with pytest.raises(ValidationError) as refused:
            risk_alert_close(actor=actor, alert=alert, risk_level="", assessment=" ", action="other", action_detail="")
        assert set(refused.value.message_dict) == {"risk_level", "assessment", "action_detail"}
        alert.refresh_from_db()
        assert alert.is_open
        closed = risk_alert_close(
            actor=actor,
            alert=alert,
            risk_level="moderate",
            assessment="Passive ideation, no plan or intent, protective factors: children.",
            action="safety_plan",
            action_detail="",
        )
        assert (closed.is_open, closed.closed_by) == (False, personas.therapist_a)
        with pytest.raises(ValidationError, match="already closed"):
            risk_alert_close(
                actor=actor, alert=closed, risk_level="low", assessment="x", action="safety_plan", action_detail=""
            )

    def test_a_supervisor_may_close_any_alert_of_the_organisation_but_a_colleague_may_not(self, personas):
        alert = risk_alert_open_concern(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, concern="Concern"
        )
        with pytest.raises(PermissionDenied):
            risk_alert_close(
                actor=personas.actor(personas.therapist_a2),
                alert=alert,
                risk_level="low",
                assessment="x",
                action="safety_plan",
                action_detail="",
            )
        risk_alert_close(
            actor=personas.actor(personas.supervisor_a),
            alert=alert,
            risk_level="low",
            assessment="x",
            action="safety_plan",
            action_detail="",
        )

    def test_a_concern_needs_words(self, personas):
        with pytest.raises(ValidationError, match="Say what the concern is"):
            risk_alert_open_concern(actor=personas.actor(personas.therapist_a), client=personas.client_a, concern="  ")


class TestCourseAttachment:
    def test_a_measure_lands_on_the_clients_open_course(self, personas):
        from tests.courses.factories import make_course

        course = make_course(personas.client_a, personas.therapist_a)
        administration = administration_record(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=PHQ9_NO_RISK
        )
        assert (administration.context, administration.occasion) == (course.treatment_context, None)

    def test_a_self_report_lands_on_the_course_open_when_it_was_sent(self, personas):
        from tests.courses.factories import make_course

        course = make_course(personas.client_a, personas.therapist_a)
        _, token = self_report_link_create(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9"
        )
        submitted = self_report_submit(token=token, answers=PHQ9_NO_RISK, ip_address=None)
        assert submitted.context == course.treatment_context

    def test_a_session_of_another_clients_course_is_refused(self, personas):
        from tests.conftest import make_client
        from tests.courses.factories import full_course

        other = full_course(make_client(personas.org_a, "A-0900", personas.therapist_a), personas.therapist_a)
        before = counts()
        with pytest.raises(ValidationError, match="not part of this client's course"):
            administration_record(
                actor=personas.actor(personas.therapist_a),
                client=personas.client_a,
                code="phq9",
                answers=PHQ9_NO_RISK,
                occasion=other.session.occasion,
            )
        assert counts() == before


def test_the_therapist_of_a_clients_open_course_may_raise_an_alert_though_not_assigned(personas):
    from tests.courses.factories import make_course

    make_course(personas.client_a, personas.therapist_a2)  # client_a is assigned to therapist_a
    alert = risk_alert_open_concern(actor=personas.actor(personas.therapist_a2), client=personas.client_a, concern="x")
    assert alert.is_open


# PHQ-A answers: items 1-9 at 0, then 10 No, 11 not difficult, 12 and 13 as given (Yes is position 0, No 1).
YES, NO = 0, 1


def phqa(*, past_month: int = NO, ever: int = NO) -> list[int]:
    return [0] * 9 + [NO, 0, past_month, ever]


class TestLifetimeItem:
    """PHQ-A item 13 ("EVER tried to kill yourself") alerts once per course; later Yes answers there are history."""

    def record(self, personas, answers: list[int]):
        return administration_record(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phqa", answers=answers
        )

    def test_a_lifetime_attempt_opens_one_alert_per_course_and_is_history_after(self, personas):
        from iptriad.core.protocol import Phase
        from tests.courses.factories import make_course

        course = make_course(personas.client_a, personas.therapist_a, adaptation="ipt_a")
        first = self.record(personas, phqa(ever=YES))
        second = self.record(personas, phqa(ever=YES))
        alert = RiskAlert.objects.get()
        assert (alert.administration, alert.item_number, alert.context) == (first, 13, course.treatment_context)
        assert (first.critical_items, first.critical_history, first.alerting_items) == ([13], [], [13])
        assert (second.critical_items, second.critical_history, second.alerting_items) == ([13], [13], [])
        assert not second.risk_alerts.exists()

        # Closing the alert does not make the same course alert again: the attempt is known there.
        risk_alert_close(
            actor=personas.actor(personas.therapist_a),
            alert=alert,
            risk_level="low",
            assessment="Attempt at 14, none since; safety plan in place.",
            action="safety_plan",
            action_detail="",
        )
        assert self.record(personas, phqa(ever=YES)).critical_history == [13]
        assert RiskAlert.objects.count() == 1

        # A new course is a new treatment context: its therapist is alerted once again.
        course.__class__.objects.filter(pk=course.pk).update(
            phase=Phase.CLOSED, closed_on=dt.date(2026, 9, 1), end_reason="completed"
        )
        later = make_course(personas.client_a, personas.therapist_a, adaptation="ipt_a")
        again = self.record(personas, phqa(ever=YES))
        assert again.critical_history == []
        assert again.risk_alerts.get().context == later.treatment_context

    def test_past_month_thoughts_and_item_9_alert_every_time(self, personas):
        from tests.courses.factories import make_course

        make_course(personas.client_a, personas.therapist_a, adaptation="ipt_a")
        for _ in range(2):
            administration = self.record(personas, phqa(past_month=YES, ever=YES))
        assert administration.critical_history == [13]
        assert sorted(administration.risk_alerts.values_list("item_number", flat=True)) == [12]
        item_9 = [0] * 8 + [1, NO, 0, NO, NO]
        self.record(personas, item_9)
        self.record(personas, item_9)
        assert RiskAlert.objects.filter(item_number=9).count() == 2
        assert RiskAlert.objects.filter(item_number=12).count() == 2
        assert RiskAlert.objects.filter(item_number=13).count() == 1

    def test_outside_a_course_every_lifetime_yes_alerts(self, personas):
        self.record(personas, phqa(ever=YES))
        self.record(personas, phqa(ever=YES))
        assert RiskAlert.objects.filter(item_number=13).count() == 2
