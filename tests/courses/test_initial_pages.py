"""The initial part of a course: its pages, the section on the course page and their query budgets."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol import Phase
from iptriad.courses.models import Assessment, Course, InventoryPerson, TimelineEvent, Triad
from iptriad.courses.sections import initial as section
from iptriad.courses.selectors.course_page import course_records
from iptriad.courses.services import initial
from iptriad.courses.services.course import ERROR_NOT_OPEN
from tests.conftest import logged_in, make_client
from tests.courses.factories import full_course, make_course

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'
PERSON_FORM = {"name": "Ali", "relationship": "friend", "ring": "2", "can_ask_for_support": "yes"}
EVENT_FORM = {"occurred_on": "2026-04-02", "kind": "symptom_worsening", "description": "Stopped sleeping"}


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def course(personas) -> Course:
    return make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL)


@pytest.fixture
def http(personas):
    return logged_in(personas.therapist_a)


def close(course: Course) -> None:
    Course.objects.filter(pk=course.pk).update(phase=Phase.CLOSED, closed_on=dt.date(2026, 11, 1), end_reason="other")


def add_person(course: Course, name: str = "Sam", **fields: object) -> InventoryPerson:
    values: dict[str, object] = {"relationship": "partner", "ring": 1}
    values.update(fields)
    return InventoryPerson.objects.create(organisation_id=course.organisation_id, course=course, name=name, **values)


def add_event(course: Course, **fields: object) -> TimelineEvent:
    values: dict[str, object] = {"occurred_on": dt.date(2026, 5, 1), "kind": "life_event", "description": "Moved"}
    values.update(fields)
    return TimelineEvent.objects.create(organisation_id=course.organisation_id, course=course, **values)


def url(name: str, *args: int) -> str:
    return reverse(name, args=args)


def queries(http, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(address)
    assert response.status_code == 200
    return len(captured.captured_queries)


class TestAssessmentPage:
    def test_it_records_the_assessment_and_returns_to_the_course(self, course, http):
        form = {"diagnosis_code": "F32.1", "diagnosis_label": "Depressive episode", "assessed_on": "2026-09-02"}
        response = http.post(url("course-initial-assessment", course.pk), form)
        assert response.status_code == 302
        assert response["Location"] == url("course-detail", course.pk) + "#section-initial"
        assert Assessment.objects.get(course=course).diagnosis_label == "Depressive episode"
        page = http.get(url("course-detail", course.pk)).content.decode()
        assert "F32.1 Depressive episode" in page
        assert "The assessment is saved." in page

    def test_it_shows_what_to_fix_and_writes_nothing(self, course, http):
        response = http.post(url("course-initial-assessment", course.pk), {"assessed_on": "2026-08-31"})
        assert response.status_code == 400
        page = response.content.decode()
        assert "error-summary" in page
        assert initial.ERROR_DATE_BEFORE_COURSE.format(opened="1 September 2026") in page
        assert not Assessment.objects.exists()

    def test_it_refuses_a_date_that_is_not_a_date(self, course, http):
        response = http.post(url("course-initial-assessment", course.pk), {"sick_role_given_on": "31/02/2026"})
        assert response.status_code == 400
        assert "Enter a valid date." in response.content.decode()

    @pytest.mark.parametrize(("screen", "level"), [("moderate", "moderate"), ("high", "high or imminent")])
    def test_a_moderate_or_high_risk_screen_says_to_open_a_risk_alert(self, course, http, personas, screen, level):
        response = http.post(url("course-initial-assessment", course.pk), {"suicide_risk_screen": screen}, follow=True)
        page = response.content.decode()
        measures = url("measures-client", personas.client_a.pk)
        assert f"The suicide risk screen is {level}: open a risk alert" in page  # the message after saving
        assert f'href="{measures}"' in page  # the notice in the section, with the link
        assessment_page = http.get(url("course-initial-assessment", course.pk)).content.decode()
        assert "risk-notice" in assessment_page
        assert f'href="{measures}"' in assessment_page

    @pytest.mark.parametrize("screen", ["no_risk", "low"])
    def test_a_low_risk_screen_asks_for_no_alert(self, course, http, screen):
        http.post(url("course-initial-assessment", course.pk), {"suicide_risk_screen": screen})
        assert "risk-notice" not in http.get(url("course-initial-assessment", course.pk)).content.decode()
        assert "risk-notice" not in http.get(url("course-detail", course.pk)).content.decode()

    def test_ipt_a_shows_a_limited_sick_role(self, personas, http):
        adolescent = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL, adaptation="ipt_a")
        page = http.get(url("course-initial-assessment", adolescent.pk)).content.decode()
        assert "gives a limited sick role" in page
        assert "the adolescent keeps attending school" in page
        Assessment.objects.create(organisation_id=adolescent.organisation_id, course=adolescent)
        assert (
            "a limited sick role in IPT for depressed adolescents"
            in http.get(url("course-detail", adolescent.pk)).content.decode()
        )

    def test_standard_ipt_shows_no_limited_sick_role(self, course, http):
        assert "limited sick role" not in http.get(url("course-initial-assessment", course.pk)).content.decode()

    def test_a_supervisor_may_record_it(self, course, personas):
        response = logged_in(personas.supervisor_a).post(url("course-initial-assessment", course.pk), {})
        assert response.status_code == 302
        assert Assessment.objects.filter(course=course).exists()

    def test_a_closed_course_shows_the_assessment_read_only_and_refuses_a_change(self, course, http):
        Assessment.objects.create(organisation_id=course.organisation_id, course=course, diagnosis_code="F33.0")
        close(course)
        page = http.get(url("course-initial-assessment", course.pk)).content.decode()
        assert "This course is closed" in page
        assert "F33.0" in page
        assert "Save the assessment" not in page
        assert re.search(r'name="diagnosis_code"[^>]*disabled', page)
        response = http.post(url("course-initial-assessment", course.pk), {"diagnosis_code": "F32.9"})
        assert response.status_code == 400
        assert ERROR_NOT_OPEN in response.content.decode()
        assert Assessment.objects.get().diagnosis_code == "F33.0"


class TestInventoryPages:
    def test_it_adds_a_person_and_shows_them_in_the_list_and_the_circle(self, course, http):
        response = http.post(url("course-initial-person-add", course.pk), PERSON_FORM)
        assert response.status_code == 302
        assert response["Location"] == url("course-initial-inventory", course.pk)
        ali = InventoryPerson.objects.get(course=course)
        assert (ali.ring, ali.can_ask_for_support, ali.knows_about_depression) == (2, True, None)
        page = http.get(url("course-initial-inventory", course.pk)).content.decode()
        assert "Ali is in the inventory." in page
        assert "<h2>Ali</h2>" in page
        assert '<g class="closeness-person">' in page

    def test_it_stores_every_field_of_the_inventory_from_the_form(self, course, http):
        texts = {
            name: f"{name} text"
            for name in (
                "contact",
                "satisfying",
                "unsatisfying",
                "communication",
                "feelings",
                "expectations",
                "support",
                "change_since_onset",
                "desired_change",
            )
        }
        form = {
            **PERSON_FORM,
            **texts,
            "relationship": "other",
            "relationship_detail": "Neighbour",
            "ring": "5",
            "angle": "90.0",
            "knows_about_depression": "no",
            "linked_problem_area": "interpersonal_deficits",
            "focus_candidate": "on",
        }
        assert http.post(url("course-initial-person-add", course.pk), form).status_code == 302
        stored = InventoryPerson.objects.get(course=course)
        assert all(getattr(stored, name) == value for name, value in texts.items())
        assert (stored.relationship_detail, stored.ring, stored.angle) == ("Neighbour", 5, 90.0)
        assert (stored.knows_about_depression, stored.linked_problem_area, stored.focus_candidate) == (
            False,
            "interpersonal_deficits",
            True,
        )
        page = http.get(url("course-initial-inventory", course.pk)).content.decode()
        assert "Linked to interpersonal deficits" in page
        assert "contact text" in page

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"ring": ""}, "Choose the ring where the client places this person."),
            ({"ring": "6"}, "Select a valid choice."),
            ({"name": ""}, "This field is required."),
            ({"relationship": "other"}, initial.ERROR_RELATIONSHIP_UNDESCRIBED),
            ({"angle": "45"}, "Select a valid choice."),
            ({"linked_problem_area": "loneliness"}, "Select a valid choice."),
        ],
    )
    def test_it_shows_what_to_fix_and_writes_nothing(self, course, http, changes, message):
        response = http.post(url("course-initial-person-add", course.pk), {**PERSON_FORM, **changes})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not InventoryPerson.objects.exists()

    def test_it_does_not_choose_a_ring_for_a_new_person(self, course, http):
        page = http.get(url("course-initial-person-add", course.pk)).content.decode()
        assert not re.search(r'name="ring"[^>]*checked', page)

    def test_it_edits_a_person_keeping_a_position_set_elsewhere(self, course, http):
        sam = add_person(course, angle=47.5, knows_about_depression=True)
        page = http.get(url("course-initial-person-edit", sam.pk)).content.decode()
        assert "Where it is now (47.5°)" in page
        assert re.search(r'value="yes"[^>]*checked', page)
        form = {**PERSON_FORM, "name": "Sam", "relationship": "partner", "ring": "3", "angle": "47.5"}
        assert http.post(url("course-initial-person-edit", sam.pk), form).status_code == 302
        sam.refresh_from_db()
        assert (sam.ring, sam.angle) == (3, 47.5)

    def test_it_removes_a_person_after_asking(self, course, http):
        sam = add_person(course)
        add_event(course, person=sam)
        page = http.get(url("course-initial-person-remove", sam.pk)).content.decode()
        assert "1 timeline event is about Sam: it stays on the timeline without the link." in page
        response = http.post(url("course-initial-person-remove", sam.pk))
        assert response["Location"] == url("course-initial-inventory", course.pk)
        assert not InventoryPerson.objects.exists()
        assert TimelineEvent.objects.get().person is None

    def test_a_name_is_escaped_everywhere_it_is_shown(self, course, http):
        add_person(course, name=XSS)
        add_event(course, person=InventoryPerson.objects.get())
        Triad.objects.create(organisation_id=course.organisation_id, course=course).support_people.set(
            InventoryPerson.objects.all()
        )
        for address in (
            url("course-initial-inventory", course.pk),
            url("course-detail", course.pk),
            url("course-initial-timeline", course.pk),
            url("course-initial-triad", course.pk),
            url("course-initial-event-add", course.pk),
            url("course-initial-person-edit", InventoryPerson.objects.get().pk),
        ):
            page = http.get(address).content.decode()
            assert "<script>alert" not in page, address
            assert "&lt;script&gt;" in page, address

    def test_the_circle_is_an_image_with_a_title_a_description_and_a_list_beside_it(self, course, http):
        add_person(course, "Sam", ring=1)
        add_person(course, "Kim", ring=3, relationship="friend")
        page = http.get(url("course-initial-inventory", course.pk)).content.decode()
        assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="closeness-title closeness-desc"', page)
        assert '<title id="closeness-title">Closeness circle of Casey</title>' in page
        assert "Casey in the centre, with 3 rings around. Ring 1 (closest): 1 person; ring 2: nobody; ring 3: 1" in page
        assert page.count('class="closeness-ring"') == 3
        rings = page[page.index('class="closeness-rings"') :]
        assert rings.index("Sam (partner)") < rings.index("Ring 2:") < rings.index("Kim (friend)")
        assert ">Casey</text>" in page

    def test_the_circle_grows_a_ring_for_someone_on_ring_four(self, course, http):
        add_person(course, ring=4)
        page = http.get(url("course-initial-inventory", course.pk)).content.decode()
        assert page.count('class="closeness-ring"') == 4

    def test_the_circles_numbers_are_never_localised(self, course, http, settings):
        settings.USE_THOUSAND_SEPARATOR = True
        settings.LANGUAGE_CODE = "de"
        add_person(course)
        page = http.get(url("course-initial-inventory", course.pk)).content.decode()
        svg = page[page.index("<svg") : page.index("</svg>")]
        assert not re.search(r'(cx|cy|r|x|y)="[0-9]+,[0-9]', svg)

    def test_a_closed_course_lists_people_without_changes(self, course, http):
        sam = add_person(course)
        close(course)
        page = http.get(url("course-initial-inventory", course.pk)).content.decode()
        assert "Add a person" not in page
        assert url("course-initial-person-remove", sam.pk) not in page
        assert "Nobody can be added" in http.get(url("course-initial-person-add", course.pk)).content.decode()
        response = http.post(url("course-initial-person-add", course.pk), PERSON_FORM)
        assert (response.status_code, InventoryPerson.objects.count()) == (400, 1)
        response = http.post(url("course-initial-person-remove", sam.pk))
        assert response.status_code == 400
        assert ERROR_NOT_OPEN in response.content.decode()
        assert InventoryPerson.objects.filter(pk=sam.pk).exists()

    def test_viewing_a_person_is_audited_without_content(self, course, http):
        sam = add_person(course)
        http.get(url("course-initial-person-edit", sam.pk))
        audit = AuditEvent.objects.filter(action=AuditAction.COURSE_VIEWED).latest("pk")
        assert audit.detail == {"client": course.client_id, "record": "inventoryperson", "record_id": sam.pk}


class TestTimelinePages:
    def test_it_adds_an_event_about_a_person_and_lists_events_by_date(self, course, http):
        sam = add_person(course)
        add_event(course, occurred_on=dt.date(2026, 6, 1), description="Started a new job")
        response = http.post(url("course-initial-event-add", course.pk), {**EVENT_FORM, "person": str(sam.pk)})
        assert response["Location"] == url("course-initial-timeline", course.pk)
        assert TimelineEvent.objects.get(kind="symptom_worsening").person == sam
        page = http.get(url("course-initial-timeline", course.pk)).content.decode()
        assert page.index("Stopped sleeping") < page.index("Started a new job")
        assert "About Sam (partner)" in page

    def test_symptom_changes_look_different_from_life_events(self, course, http):
        add_event(course, kind="life_event")
        add_event(course, kind="symptom_onset")
        add_event(course, kind="symptom_improvement")
        page = http.get(url("course-initial-timeline", course.pk)).content.decode()
        assert "timeline-life_event" in page
        assert "timeline-symptom_onset" in page
        assert "timeline-symptom_improvement" in page
        assert "Symptoms began" in page  # the kind is written out, not shown by colour alone
        assert '<time datetime="2026-05-01">' in page

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"occurred_on": "2026-11-27"}, initial.ERROR_EVENT_IN_FUTURE),
            ({"occurred_on": "1980-01-01"}, initial.ERROR_EVENT_BEFORE_BIRTH),
            ({"occurred_on": ""}, "This field is required."),
            ({"kind": "holiday"}, "Select a valid choice."),
            ({"description": ""}, "This field is required."),
        ],
    )
    def test_it_shows_what_to_fix_and_writes_nothing(self, course, http, changes, message):
        response = http.post(url("course-initial-event-add", course.pk), {**EVENT_FORM, **changes})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not TimelineEvent.objects.exists()

    def test_it_refuses_a_person_of_another_course(self, course, http, personas):
        other = make_course(make_client(personas.org_a, "A-0002", personas.therapist_a), personas.therapist_a)
        stranger = add_person(other, "Stranger")
        response = http.post(url("course-initial-event-add", course.pk), {**EVENT_FORM, "person": str(stranger.pk)})
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        assert not TimelineEvent.objects.exists()
        assert "Stranger" not in http.get(url("course-initial-event-add", course.pk)).content.decode()

    def test_it_edits_and_removes_an_event(self, course, http):
        moved = add_event(course)
        response = http.post(url("course-initial-event-edit", moved.pk), {**EVENT_FORM, "kind": "life_event"})
        assert response.status_code == 302
        moved.refresh_from_db()
        assert moved.description == "Stopped sleeping"
        assert "Remove this event" in http.get(url("course-initial-event-remove", moved.pk)).content.decode()
        assert http.post(url("course-initial-event-remove", moved.pk)).status_code == 302
        assert not TimelineEvent.objects.exists()

    def test_a_closed_course_shows_the_timeline_read_only(self, course, http):
        moved = add_event(course)
        close(course)
        page = http.get(url("course-initial-timeline", course.pk)).content.decode()
        assert "Moved" in page
        assert "Add an event" not in page
        assert url("course-initial-event-edit", moved.pk) not in page
        response = http.post(url("course-initial-event-edit", moved.pk), EVENT_FORM)
        assert response.status_code == 400
        assert ERROR_NOT_OPEN in response.content.decode()
        assert http.post(url("course-initial-event-remove", moved.pk)).status_code == 400
        assert TimelineEvent.objects.get().description == "Moved"


class TestTriadPage:
    def test_it_records_the_triad_with_support_people_from_the_inventory(self, course, http):
        sam, kim = add_person(course, "Sam"), add_person(course, "Kim")
        form = {"acute_crisis": "The move", "social_support": "Few friends here", "support_people": [str(kim.pk)]}
        response = http.post(url("course-initial-triad", course.pk), form)
        assert response["Location"] == url("course-detail", course.pk) + "#section-initial"
        triad = Triad.objects.get(course=course)
        assert (triad.acute_crisis, list(triad.support_people.all())) == ("The move", [kim])
        page = http.get(url("course-detail", course.pk)).content.decode()
        assert "Support people: Kim" in page
        assert sam.name in http.get(url("course-initial-triad", course.pk)).content.decode()

    def test_it_offers_support_people_as_checkboxes_in_a_fieldset(self, course, http):
        add_person(course, "Sam")
        page = http.get(url("course-initial-triad", course.pk)).content.decode()
        assert "<legend>Support people from the interpersonal inventory</legend>" in page
        assert 'type="checkbox" name="support_people"' in page

    def test_it_refuses_a_person_of_another_course(self, course, http, personas):
        other = make_course(make_client(personas.org_a, "A-0002", personas.therapist_a), personas.therapist_a)
        stranger = add_person(other, "Stranger")
        response = http.post(url("course-initial-triad", course.pk), {"support_people": [str(stranger.pk)]})
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        assert not Triad.objects.exists()

    def test_a_closed_course_refuses_a_change(self, course, http):
        close(course)
        page = http.get(url("course-initial-triad", course.pk)).content.decode()
        assert "Save the triad" not in page
        response = http.post(url("course-initial-triad", course.pk), {"acute_crisis": "x"})
        assert response.status_code == 400
        assert not Triad.objects.exists()


class TestAccess:
    """The matrix covers every page's GET; these cover the changes, sent by someone who may not make them."""

    @pytest.mark.parametrize("who", ["therapist_a2", "admin_a", "facilitator_a", "therapist_b"])
    def test_nobody_else_can_change_the_initial_records(self, personas, who):
        records = full_course(personas.client_a, personas.therapist_a)
        course, person, event = records.course, records.person, records.event
        http = logged_in(getattr(personas, who))
        before = (
            list(InventoryPerson.objects.values_list("pk", "name", "ring")),
            list(TimelineEvent.objects.values_list("pk", "description")),
            list(Assessment.objects.values_list("pk", "diagnosis_code")),
            list(Triad.objects.values_list("pk", "acute_crisis")),
        )
        for address, form in (
            (url("course-initial-assessment", course.pk), {"diagnosis_code": "X"}),
            (url("course-initial-person-add", course.pk), PERSON_FORM),
            (url("course-initial-person-edit", person.pk), {**PERSON_FORM, "ring": "3"}),
            (url("course-initial-person-remove", person.pk), {}),
            (url("course-initial-event-add", course.pk), EVENT_FORM),
            (url("course-initial-event-edit", event.pk), EVENT_FORM),
            (url("course-initial-event-remove", event.pk), {}),
            (url("course-initial-triad", course.pk), {"acute_crisis": "X"}),
        ):
            assert http.post(address, form).status_code == 404, address
        after = (
            list(InventoryPerson.objects.values_list("pk", "name", "ring")),
            list(TimelineEvent.objects.values_list("pk", "description")),
            list(Assessment.objects.values_list("pk", "diagnosis_code")),
            list(Triad.objects.values_list("pk", "acute_crisis")),
        )
        assert after == before


class TestSection:
    def test_it_shows_the_state_of_the_initial_phase_with_links_to_edit(self, personas, http):
        records = full_course(personas.client_a, personas.therapist_a)
        course = records.course
        page = http.get(url("course-detail", course.pk)).content.decode()
        assert "F32.1 Moderate depressive episode" in page
        assert "1 person in the inventory." in page
        assert "Moved city" in page
        assert "The move" in page
        for name in ("course-initial-assessment", "course-initial-inventory", "course-initial-triad"):
            assert url(name, course.pk) in page
        assert "Edit the assessment" in page

    def test_an_empty_initial_phase_invites_the_first_records(self, course, http):
        page = http.get(url("course-detail", course.pk)).content.decode()
        assert "Record the assessment" in page
        assert "0 people in the inventory." in page
        assert "No events on the timeline yet." in page
        assert "Record the triad" in page

    def test_a_closed_course_section_is_read_only(self, personas, http):
        records = full_course(personas.client_a, personas.therapist_a)
        close(records.course)
        page = http.get(url("course-detail", records.course.pk)).content.decode()
        assert "The course is closed: these records can be read" in page
        assert "View the assessment" in page
        assert url("course-initial-event-add", records.course.pk) not in page
        assert url("course-initial-event-edit", records.event.pk) not in page

    def test_its_reads_do_not_grow_with_the_course(self, personas):
        course = full_course(personas.client_a, personas.therapist_a).course
        actor = personas.actor(personas.therapist_a)
        course = Course.objects.select_related("client").get(pk=course.pk)

        def reads() -> tuple[int, dict[str, Any]]:
            with CaptureQueriesContext(connection) as loading:
                records = course_records(actor=actor, course=course)
            with CaptureQueriesContext(connection) as building:
                context = section.context(actor, course, records)
            assert building.captured_queries == []  # the section builds on the page's reads only
            return len(loading.captured_queries), context

        few, _ = reads()
        for number in range(30):
            person = add_person(course, f"P{number}", ring=1 + number % 5)
            add_event(course, person=person)
        Triad.objects.get(course=course).support_people.set(InventoryPerson.objects.filter(course=course))
        many, context = reads()
        # The course again with its one-to-one records (it came without them), and nine lists.
        assert many == few == 10
        assert len(context["circle"].rings) == 5
        assert len(context["support_people"]) == 31


class TestQueryBudget:
    def test_the_inventory_page_runs_the_same_queries_for_1_and_50_people(self, course, http):
        add_person(course)
        address = url("course-initial-inventory", course.pk)
        http.get(address)  # warm the session
        with_one = queries(http, address)
        for number in range(49):
            add_person(course, f"Person {number}", ring=1 + number % 5, angle=None if number % 2 else number * 7.0)
        assert queries(http, address) == with_one

    def test_the_timeline_page_runs_the_same_queries_for_1_and_50_events(self, course, http):
        sam = add_person(course)
        add_event(course, person=sam)
        address = url("course-initial-timeline", course.pk)
        http.get(address)
        with_one = queries(http, address)
        for number in range(49):
            add_event(course, person=sam if number % 2 else None, occurred_on=dt.date(2025, 1, 1 + number % 28))
        assert queries(http, address) == with_one

    @pytest.mark.parametrize("page", ["course-initial-event-add", "course-initial-triad", "course-initial-assessment"])
    def test_the_forms_run_the_same_queries_for_1_and_50_people(self, course, http, page):
        add_person(course)
        address = url(page, course.pk)
        http.get(address)
        with_one = queries(http, address)
        for number in range(49):
            add_person(course, f"Person {number}")
        assert queries(http, address) == with_one

    @pytest.mark.parametrize(
        "page", ["course-initial-person-edit", "course-initial-person-remove", "course-initial-event-edit"]
    )
    def test_the_record_pages_run_the_same_queries_for_1_and_50_records(self, course, http, page):
        sam = add_person(course)
        moved = add_event(course, person=sam)
        address = url(page, moved.pk if "event" in page else sam.pk)
        http.get(address)
        with_one = queries(http, address)
        for number in range(49):
            add_event(course, person=sam)
            add_person(course, f"Person {number}")
        assert queries(http, address) == with_one

    def test_the_course_page_runs_the_same_queries_for_1_and_50_initial_records(self, personas, http):
        course = full_course(personas.client_a, personas.therapist_a).course
        address = url("course-detail", course.pk)
        http.get(address)
        with_one = queries(http, address)
        for number in range(49):
            add_event(course, person=add_person(course, f"Person {number}"))
        assert queries(http, address) == with_one
