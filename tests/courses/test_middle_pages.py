"""The focus pages: problem areas and goals, the formulation, the contract, the printables and the course section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.audit.chain import append_statements
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol import Phase, protocol, rules
from iptriad.courses.models import (
    Course,
    Formulation,
    Goal,
    InventoryPerson,
    ProblemAreaChoice,
    TimelineEvent,
    TreatmentContract,
)
from iptriad.courses.services import course as course_services
from iptriad.courses.services import middle
from tests.conftest import logged_in, make_client
from tests.courses.factories import OPENED, full_course, make_course

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)
# The key-page budget is 10 queries (docs/performance.md); the formulation page reads one more, the three lists
# its draft is composed from (timeline, people, problem areas) beside the course with its one-to-one records.
KEY_PAGE_BUDGET = 11
# Exact counts in a test's transaction: 4 on every member page (session, user, MFA device, memberships), 1 for the
# course or record, the audit event's statements (AUDIT: 1 on PostgreSQL, 3 on SQLite), and the page's own reads.
AUDIT = append_statements()
PAGE_QUERIES = {
    "course-detail": 14 + AUDIT,  # every section: tests/courses/test_course_page.py
    "course-middle-areas": 7 + AUDIT,
    "course-middle-area": 7 + AUDIT,
    "course-middle-goal": 5 + AUDIT,
    "course-middle-formulation": 8 + AUDIT,
    "course-middle-formulation-print": 5 + AUDIT,
    "course-middle-contract": 6 + AUDIT,
    "course-middle-contract-print": 7 + AUDIT,
}


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def http(personas):
    return logged_in(personas.therapist_a)


@pytest.fixture
def records(personas):
    return full_course(personas.client_a, personas.therapist_a)


@pytest.fixture
def initial(personas) -> Course:
    return make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL)


def url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


def close(course: Course) -> None:
    Course.objects.filter(pk=course.pk).update(phase=Phase.CLOSED, closed_on=TODAY, end_reason="moved")


def count_queries(http, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(address)
    assert response.status_code == 200
    return len(captured.captured_queries)


CHOOSE = {"area": "grief", "evidence": "Low mood since her mother died in March", "chosen_on": "2026-11-20"}


class TestProblemAreasPage:
    def test_it_shows_the_chosen_areas_and_each_areas_definition_and_goals_as_guidance(self, http, records):
        page = http.get(url("course-middle-areas", records.course.pk)).content.decode()
        assert "Role transitions" in page
        for area in protocol().problem_areas:
            assert area.name in page
            assert area.goals[0].text.replace("'", "&#x27;") in page
        stage = protocol().problem_area("role_dispute").stages[1]
        assert stage.description in page
        assert rules.CONFIRM_DEFICITS in page

    def test_it_chooses_an_area_and_goes_to_its_goals(self, http, initial):
        response = http.post(url("course-middle-areas", initial.pk), CHOOSE)
        choice = ProblemAreaChoice.objects.get(course=initial)
        assert response.status_code == 302
        assert response["Location"] == url("course-middle-area", choice.pk)
        assert (choice.area, choice.chosen_on) == ("grief", dt.date(2026, 11, 20))

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"evidence": ""}, "This field is required."),
            ({"area": "loss"}, "Select a valid choice."),
            ({"area": "role_transition"}, rules.DUPLICATE_PROBLEM_AREA),
            ({"area": "interpersonal_deficits"}, rules.DEFICITS_WITH_ANOTHER_AREA),
            ({"dispute_stage": "impasse"}, middle.ERROR_STAGE_NOT_DISPUTE),
            ({"chosen_on": "2026-12-01"}, middle.ERROR_DATE_IN_FUTURE),
        ],
    )
    def test_it_refuses_with_a_message_and_writes_nothing(self, http, records, changes, message):
        before = ProblemAreaChoice.objects.count()
        response = http.post(url("course-middle-areas", records.course.pk), {**CHOOSE, **changes})
        assert response.status_code == 400
        assert message.replace("'", "&#x27;") in response.content.decode()
        assert b"error-summary" in response.content
        assert ProblemAreaChoice.objects.count() == before

    def test_it_asks_for_the_confirmation_that_no_other_area_applies(self, http, initial):
        deficits = {**CHOOSE, "area": "interpersonal_deficits"}
        refused = http.post(url("course-middle-areas", initial.pk), deficits)
        assert refused.status_code == 400
        assert middle.ERROR_DEFICITS_NOT_CONFIRMED in refused.content.decode()
        assert (
            http.post(url("course-middle-areas", initial.pk), {**deficits, "deficits_confirmed": "on"}).status_code
            == 302
        )
        page = http.get(url("course-middle-areas", initial.pk)).content.decode()
        assert "To check" in page
        assert rules.CONFIRM_DEFICITS in page

    def test_a_dispute_without_its_stage_is_a_caution_to_record_it(self, http, initial):
        http.post(url("course-middle-areas", initial.pk), {**CHOOSE, "area": "role_dispute"})
        assert rules.DISPUTE_STAGE_MISSING in http.get(url("course-middle-areas", initial.pk)).content.decode()

    def test_after_the_middle_phase_started_a_new_area_is_called_a_change_of_focus(self, http, records, personas):
        other_client = make_client(personas.org_a, "A-0002", personas.therapist_a)
        initial = make_course(other_client, personas.therapist_a, phase=Phase.INITIAL)
        assert "changes the agreed focus" in http.get(url("course-middle-areas", records.course.pk)).content.decode()
        assert "changes the agreed focus" not in http.get(url("course-middle-areas", initial.pk)).content.decode()

    def test_a_closed_course_shows_its_areas_read_only(self, http, records):
        close(records.course)
        page = http.get(url("course-middle-areas", records.course.pk))
        assert b"Role transitions" in page.content
        assert b"Choose this problem area" not in page.content
        refused = http.post(url("course-middle-areas", records.course.pk), {**CHOOSE, "area": "grief"})
        assert refused.status_code == 400
        assert course_services.ERROR_NOT_OPEN.encode() in refused.content

    def test_it_records_that_the_course_was_viewed(self, http, records):
        http.get(url("course-middle-areas", records.course.pk))
        assert AuditEvent.objects.filter(action=AuditAction.COURSE_VIEWED, object_id=str(records.course.pk)).exists()


class TestProblemAreaPage:
    def test_it_offers_the_protocols_goals_not_yet_taken_as_suggestions(self, http, records):
        page = http.get(url("course-middle-area", records.problem_area.pk)).content.decode()
        for goal in protocol().problem_area("role_transition").goals:
            assert f'value="{goal.text}"'.replace("'", "&#x27;") in page
        assert "Build a new social network" in page

    def test_a_suggestion_is_added_word_for_word_and_then_no_longer_offered(self, http, records):
        text = protocol().problem_area("role_transition").goals[2].text
        response = http.post(url("course-middle-goal-add", records.problem_area.pk), {"text": text})
        assert response.status_code == 302
        assert text in [goal.text for goal in Goal.objects.filter(problem_area=records.problem_area)]  # encrypted
        assert f'value="{text}"' not in http.get(url("course-middle-area", records.problem_area.pk)).content.decode()

    def test_an_empty_goal_is_refused_with_a_message(self, http, records):
        response = http.post(url("course-middle-goal-add", records.problem_area.pk), {"text": " "})
        assert response.status_code == 400
        assert b"This field is required." in response.content
        assert Goal.objects.count() == 1

    def test_it_edits_the_evidence(self, http, records):
        response = http.post(url("course-middle-area", records.problem_area.pk), {"evidence": "Since the move in May"})
        assert response.status_code == 302
        assert ProblemAreaChoice.objects.get(pk=records.problem_area.pk).evidence == "Since the move in May"

    def test_it_refuses_a_stage_for_an_area_that_is_not_a_dispute(self, http, records):
        form = {"evidence": "x", "dispute_stage": "impasse"}
        response = http.post(url("course-middle-area", records.problem_area.pk), form)
        assert response.status_code == 400
        assert middle.ERROR_STAGE_NOT_DISPUTE.encode() in response.content

    def test_in_the_middle_phase_it_ends_an_area_with_a_note(self, http, records):
        page = http.get(url("course-middle-area", records.problem_area.pk)).content.decode()
        assert "End this problem area" in page
        assert "Remove" not in page
        form = {"end_note": "Agreed to work on the dispute with Sam", "ended_on": "2026-11-26"}
        response = http.post(url("course-middle-area-end", records.problem_area.pk), form)
        assert response.status_code == 302
        ended = http.get(url("course-middle-areas", records.course.pk)).content.decode()
        assert "Ended: the focus was renegotiated" in ended
        assert "Agreed to work on the dispute with Sam" in ended

    def test_ending_without_a_note_is_refused(self, http, records):
        response = http.post(url("course-middle-area-end", records.problem_area.pk), {"end_note": ""})
        assert response.status_code == 400
        assert b"This field is required." in response.content
        assert ProblemAreaChoice.objects.get(pk=records.problem_area.pk).active

    def test_ending_before_it_was_chosen_is_refused_with_the_services_message(self, http, records):
        form = {"end_note": "Resolved", "ended_on": "2026-11-25"}
        response = http.post(url("course-middle-area-end", records.problem_area.pk), form)
        assert response.status_code == 400
        assert middle.ERROR_ENDED_BEFORE_CHOSEN.encode() in response.content

    def test_in_the_initial_phase_it_removes_an_area(self, http, initial):
        http.post(url("course-middle-areas", initial.pk), CHOOSE)
        choice = ProblemAreaChoice.objects.get(course=initial)
        assert b"Remove grief" in http.get(url("course-middle-area", choice.pk)).content
        response = http.post(url("course-middle-area-remove", choice.pk))
        assert response["Location"] == url("course-middle-areas", initial.pk)
        assert not ProblemAreaChoice.objects.exists()

    def test_in_the_middle_phase_removing_is_refused_with_a_message(self, http, records):
        response = http.post(url("course-middle-area-remove", records.problem_area.pk), follow=True)
        assert middle.ERROR_REMOVE_AFTER_MIDDLE.encode() in response.content
        assert ProblemAreaChoice.objects.filter(pk=records.problem_area.pk).exists()

    def test_an_ended_area_is_read_only_but_its_goals_can_take_their_status(self, http, records):
        http.post(url("course-middle-area-end", records.problem_area.pk), {"end_note": "Resolved"})
        page = http.get(url("course-middle-area", records.problem_area.pk)).content.decode()
        assert "Add the goal" not in page
        assert "End this problem area" not in page
        assert url("course-middle-goal", records.goal.pk) in page


class TestGoalPage:
    def test_it_records_the_status_with_a_note(self, http, records):
        form = {"text": "Build a new social network", "status": "in_progress", "status_note": "Joined a choir"}
        response = http.post(url("course-middle-goal", records.goal.pk), form)
        assert response.status_code == 302
        goal = Goal.objects.get(pk=records.goal.pk)
        assert (goal.status, goal.status_note) == ("in_progress", "Joined a choir")

    def test_an_unknown_status_is_refused(self, http, records):
        response = http.post(url("course-middle-goal", records.goal.pk), {"text": "x", "status": "done"})
        assert response.status_code == 400
        assert b"Select a valid choice." in response.content

    def test_a_goal_is_removed_only_before_the_middle_phase(self, http, records, personas):
        assert b"Remove this goal" not in http.get(url("course-middle-goal", records.goal.pk)).content
        refused = http.post(url("course-middle-goal-remove", records.goal.pk), follow=True)
        assert middle.ERROR_GOAL_REMOVE_AFTER_MIDDLE.encode() in refused.content
        Course.objects.filter(pk=records.course.pk).update(phase=Phase.INITIAL)
        assert b"Remove this goal" in http.get(url("course-middle-goal", records.goal.pk)).content
        assert http.post(url("course-middle-goal-remove", records.goal.pk)).status_code == 302
        assert not Goal.objects.exists()


class TestFormulationPage:
    def test_without_a_formulation_the_text_starts_as_the_draft_from_the_records(self, http, records):
        Formulation.objects.filter(course=records.course).delete()
        TimelineEvent.objects.create(
            organisation=records.course.organisation,
            course=records.course,
            occurred_on=dt.date(2026, 6, 1),
            kind="symptom_onset",
            description="Low mood",
        )
        InventoryPerson.objects.filter(pk=records.person.pk).update(linked_problem_area="role_transition")
        page = http.get(url("course-middle-formulation", records.course.pk)).content.decode()
        textarea = page.split('name="text"')[1].split("</textarea>")[0]
        assert "Your moderate depressive episode is an illness that can be treated. It began in June 2026." in textarea
        assert "Moved city (1 May 2026)" in textarea
        assert "This pattern is called life changes (in IPT, role transitions)." in textarea
        assert "It involves Sam (your partner)." in textarea
        assert "Over the next 12 sessions, meeting once a week, until 24 November 2026" in textarea

    def test_it_says_what_the_draft_had_to_leave_out(self, http, initial):
        page = http.get(url("course-middle-formulation", initial.pk)).content.decode()
        for piece in ("the diagnosis", "when the symptoms began", "a problem area", "the treatment contract"):
            assert piece in page

    def test_it_saves_the_text_and_dates_and_returns_to_the_course(self, http, initial):
        form = {"text": "Your depression began after...", "shared_on": "2026-11-20", "agreed_on": "2026-11-20"}
        response = http.post(url("course-middle-formulation", initial.pk), form)
        assert response["Location"] == url("course-detail", initial.pk) + "#section-middle"
        formulation = Formulation.objects.get(course=initial)
        assert (formulation.shared_on, formulation.agreed_on) == (dt.date(2026, 11, 20), dt.date(2026, 11, 20))

    @pytest.mark.parametrize(
        ("form", "message"),
        [
            ({"text": ""}, "This field is required."),
            ({"text": "T", "agreed_on": "2026-11-20"}, middle.ERROR_AGREED_NOT_SHARED),
            ({"text": "T", "shared_on": "2026-11-27"}, middle.ERROR_DATE_IN_FUTURE),
            ({"text": "T", "shared_on": "2026-11-20", "agreed_on": "2026-11-19"}, middle.ERROR_AGREED_BEFORE_SHARED),
        ],
    )
    def test_it_refuses_with_a_message_and_writes_nothing(self, http, initial, form, message):
        response = http.post(url("course-middle-formulation", initial.pk), form)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Formulation.objects.exists()

    def test_changing_agreed_words_keeps_the_agreement_and_warns_to_agree_again(self, http, records):
        form = {"text": "New words", "shared_on": "", "agreed_on": OPENED.isoformat()}
        form["shared_on"] = OPENED.isoformat()
        response = http.post(url("course-middle-formulation", records.course.pk), form, follow=True)
        assert "go over the formulation with the client again" in response.content.decode()
        assert Formulation.objects.get(course=records.course).agreed_on == OPENED

    def test_a_new_agreement_date_with_the_new_words_needs_no_warning(self, http, records):
        form = {"text": "New words", "shared_on": TODAY.isoformat(), "agreed_on": TODAY.isoformat()}
        response = http.post(url("course-middle-formulation", records.course.pk), form, follow=True)
        assert "again" not in response.content.decode()

    def test_a_closed_course_shows_the_formulation_read_only(self, http, records):
        close(records.course)
        page = http.get(url("course-middle-formulation", records.course.pk))
        assert b"Your depression began after the move." in page.content
        assert b"Save the formulation" not in page.content


CONTRACT = {
    "sessions_planned": "16",
    "frequency": "weekly",
    "session_minutes": "50",
    "starts_on": "2026-09-01",
    "planned_end_on": "",
    "missed_session_rule": "Tell me a day before.",
    "other_terms": "",
    "agreed_on": "",
}


class TestContractPage:
    @pytest.mark.parametrize(
        ("adaptation", "sessions", "minutes", "frequency"),
        [
            ("standard", 16, 50, "weekly"),
            ("ipt_a", 12, 50, "weekly"),
            ("ipc", 6, 30, "weekly"),
            ("ipt_m", 12, 50, "monthly"),
        ],
    )
    def test_a_new_contract_starts_from_the_adaptations_defaults(
        self, personas, http, adaptation, sessions, minutes, frequency
    ):
        course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL, adaptation=adaptation)
        page = http.get(url("course-middle-contract", course.pk)).content.decode()
        assert f'name="sessions_planned" value="{sessions}"' in page
        assert f'name="session_minutes" value="{minutes}"' in page
        assert f'<option value="{frequency}" selected>' in page
        assert f'name="starts_on" value="{OPENED.isoformat()}"' in page
        assert "What was renegotiated" not in page

    def test_it_saves_a_contract_and_works_out_the_end(self, http, initial):
        response = http.post(url("course-middle-contract", initial.pk), CONTRACT)
        assert response["Location"] == url("course-detail", initial.pk) + "#section-middle"
        assert TreatmentContract.objects.get(course=initial).planned_end_on == dt.date(2026, 12, 15)

    def test_a_worked_out_end_stays_empty_on_the_form_so_it_follows_the_terms(self, http, initial):
        http.post(url("course-middle-contract", initial.pk), CONTRACT)
        page = http.get(url("course-middle-contract", initial.pk)).content.decode()
        assert 'name="planned_end_on" aria-describedby' in page
        assert 'name="planned_end_on" value' not in page

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"sessions_planned": "5"}, "Plan at least 6 sessions"),
            ({"sessions_planned": "21"}, rules.CONTRACT_TOO_LONG),
            ({"sessions_planned": "many"}, "Enter a whole number."),
            ({"session_minutes": "5"}, middle.ERROR_SESSION_MINUTES),
            ({"frequency": "daily"}, "Select a valid choice."),
            ({"planned_end_on": "2026-08-01"}, middle.ERROR_END_BEFORE_START),
            ({"agreed_on": "2026-12-01"}, middle.ERROR_DATE_IN_FUTURE),
        ],
    )
    def test_it_refuses_bad_terms_with_a_message_and_writes_nothing(self, http, initial, changes, message):
        response = http.post(url("course-middle-contract", initial.pk), {**CONTRACT, **changes})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not TreatmentContract.objects.exists()

    def test_an_unusual_length_is_saved_with_the_protocols_caution(self, http, initial):
        response = http.post(
            url("course-middle-contract", initial.pk), {**CONTRACT, "sessions_planned": "8"}, follow=True
        )
        assert "Standard IPT usually runs" in response.content.decode()
        assert "Standard IPT usually runs" in http.get(url("course-middle-contract", initial.pk)).content.decode()

    def test_an_agreed_contract_changes_only_by_renegotiation(self, http, records):
        page = http.get(url("course-middle-contract", records.course.pk)).content.decode()
        assert "What was renegotiated, and why" in page
        form = {**CONTRACT, "sessions_planned": "14", "agreed_on": TODAY.isoformat()}
        refused = http.post(url("course-middle-contract", records.course.pk), form)
        assert refused.status_code == 400
        assert middle.ERROR_NO_RENEGOTIATION_NOTE in refused.content.decode()
        assert TreatmentContract.objects.get(course=records.course).sessions_planned == 12
        note = {**form, "renegotiation_note": "Two more sessions for the dispute"}
        response = http.post(url("course-middle-contract", records.course.pk), note, follow=True)
        assert b"The contract was renegotiated." in response.content
        contract = TreatmentContract.objects.get(course=records.course)
        assert (contract.sessions_planned, contract.renegotiated) == (14, True)
        assert contract.renegotiation_note == "2026-11-26: Two more sessions for the dispute"

    def test_a_closed_course_shows_the_contract_read_only(self, http, records):
        close(records.course)
        page = http.get(url("course-middle-contract", records.course.pk))
        assert b"12, weekly, 50 minutes" in page.content
        assert b"Save the contract" not in page.content


class TestPrintables:
    def test_the_formulation_prints_in_plain_language_with_the_clients_and_the_organisations_names(
        self, http, records, personas
    ):
        page = http.get(url("course-middle-formulation-print", records.course.pk)).content.decode()
        assert "Alpha Clinic" in page
        assert personas.client_a.full_name in page
        assert "<p>Your depression began after the move.</p>" in page
        assert "iptriad/middle.css" in page
        assert 'class="no-print"' in page

    def test_the_contract_prints_its_terms_focus_and_goals(self, http, records, personas):
        page = http.get(url("course-middle-contract-print", records.course.pk)).content.decode()
        assert "Alpha Clinic" in page
        assert f"Between {personas.client_a.full_name} and {personas.therapist_a.full_name}" in page
        assert "We will meet for 12 sessions, once a week. Each session lasts about 50 minutes." in page
        assert "The last session is planned for 24 November 2026." in page
        assert "Life changes" in page
        assert "Build a new social network" in page

    def test_nothing_written_yet_prints_as_such(self, http, initial):
        assert b"has not been written yet" in http.get(url("course-middle-formulation-print", initial.pk)).content
        assert b"has not been written yet" in http.get(url("course-middle-contract-print", initial.pk)).content

    def test_the_print_stylesheet_hides_everything_but_the_printable(self):
        from django.contrib.staticfiles import finders

        path = finders.find("iptriad/middle.css")
        assert path is not None
        with open(path, encoding="utf-8") as stylesheet:
            css = stylesheet.read()
        assert "@media print" in css
        assert ".no-print" in css.split("@media print")[1]


class TestCourseSection:
    def test_it_summarises_the_focus_with_links(self, http, records):
        page = http.get(url("course-detail", records.course.pk)).content.decode()
        section = page.split('id="section-middle"')[1].split("</section>")[0]
        assert "Role transitions" in section
        assert "Build a new social network" in section
        assert "Not started" in section
        assert "Agreed</dt><dd>1 Sep 2026" in section
        assert "12, weekly, 50 min" in section
        for name in ("course-middle-areas", "course-middle-formulation", "course-middle-contract"):
            assert url(name, records.course.pk) in section
        assert "Change the contract" in section

    def test_it_shows_the_dispute_stage_and_a_renegotiated_contract(self, http, records):
        ProblemAreaChoice.objects.create(
            organisation=records.course.organisation,
            course=records.course,
            area="role_dispute",
            evidence="Rows",
            dispute_stage="impasse",
        )
        TreatmentContract.objects.filter(course=records.course).update(renegotiated=True)
        section = http.get(url("course-detail", records.course.pk)).content.decode().split('id="section-middle"')[1]
        assert "Stage: Impasse" in section
        assert "Renegotiated" in section

    def test_a_closed_course_shows_the_focus_without_edit_links(self, http, records):
        close(records.course)
        page = http.get(url("course-detail", records.course.pk)).content.decode()
        section = page.split('id="section-middle"')[1].split("</section>")[0]
        assert "Role transitions" in section
        assert "Change the contract" not in section
        assert "Choose or change" not in section
        assert "Print for the client" in section

    def test_an_empty_focus_invites_the_first_records(self, http, initial):
        section = http.get(url("course-detail", initial.pk)).content.decode().split('id="section-middle"')[1]
        assert "No problem area chosen yet." in section
        assert "Write the formulation from a draft" in section
        assert "Write the contract" in section


def add_records(records, count: int) -> None:
    """More of everything the focus pages read: ended areas with goals, goals, inventory and timeline."""
    org, course = records.course.organisation, records.course
    for number in range(count):
        ended = ProblemAreaChoice.objects.create(
            organisation=org,
            course=course,
            area="grief",
            evidence="Old",
            active=False,
            ended_on=TODAY,
            end_note="Ended",
        )
        Goal.objects.create(organisation=org, course=course, problem_area=ended, text=f"Old goal {number}")
        Goal.objects.create(organisation=org, course=course, problem_area=records.problem_area, text=f"Goal {number}")
        InventoryPerson.objects.create(
            organisation=org,
            course=course,
            name=f"P{number}",
            relationship="friend",
            linked_problem_area="role_transition",
        )
        TimelineEvent.objects.create(
            organisation=org,
            course=course,
            occurred_on=dt.date(2026, 5, 2),
            kind="life_event",
            description=f"E{number}",
        )


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("course-detail", "course"),
        ("course-middle-areas", "course"),
        ("course-middle-area", "problem_area"),
        ("course-middle-goal", "goal"),
        ("course-middle-formulation", "course"),
        ("course-middle-formulation-print", "course"),
        ("course-middle-contract", "course"),
        ("course-middle-contract-print", "course"),
    ],
)
def test_every_page_runs_the_same_queries_for_1_and_30_records(http, records, name, target):
    address = url(name, getattr(records, target).pk)
    http.get(address)  # warm the session
    few = count_queries(http, address)
    add_records(records, 30)
    many = count_queries(http, address)
    assert many == few == PAGE_QUERIES[name]
    if name != "course-detail":  # the course page belongs to every part of the course
        assert many <= KEY_PAGE_BUDGET
