"""Pages for the initial part of a course: the assessment, the interpersonal inventory with its closeness circle,
the timeline and the Interpersonal Triad. Editable while the course is open, read-only once it is closed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import Actor
from iptriad.accounts.once import submitted_once
from iptriad.accounts.permissions import member_view
from iptriad.courses.forms.initial import AssessmentForm, EventForm, PersonForm, TriadForm
from iptriad.courses.models import Course
from iptriad.courses.models.initial import RiskScreen
from iptriad.courses.selectors.course import course_get, course_get_for_view
from iptriad.courses.selectors.initial import (
    assessment_of,
    closeness_circle,
    inventory_choices,
    inventory_of,
    inventory_person_get,
    inventory_person_get_for_view,
    inventory_rows,
    sick_role_guidance,
    timeline_count_of_person,
    timeline_event_get,
    timeline_event_get_for_view,
    timeline_of,
    triad_of,
)
from iptriad.courses.services.initial import (
    assessment_save,
    inventory_person_create,
    inventory_person_delete,
    inventory_person_update,
    risk_alert_needed,
    timeline_event_create,
    timeline_event_delete,
    timeline_event_update,
    triad_save,
)
from iptriad.web.pages import errors_as_messages, errors_on, render_form_page

GET_POST = ["GET", "HEAD", "POST"]
RISK_ALERT_MESSAGE = (
    "The suicide risk screen is {level}: open a risk alert on the client's Measures and risk page, "
    "so that the assessment and the action taken are recorded."
)


def _course(request: HttpRequest, actor: Actor, course_id: int) -> Course:
    """The course for this page; reading it is audited here, a change by its service."""
    if request.method == "POST":
        return course_get(actor=actor, course_id=course_id)
    return course_get_for_view(actor=actor, course_id=course_id)


def _data(request: HttpRequest) -> Any:
    """The form data of a POST, even an empty one (every assessment and triad field may be left empty)."""
    return request.POST if request.method == "POST" else None


def _to_section(course: Course) -> HttpResponseRedirect:
    return redirect(reverse("course-detail", args=[course.pk]) + "#section-initial")


# ---------------------------------------------------------------------------------------------------------
# The assessment


@member_view
@require_http_methods(GET_POST)
def assessment_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = _course(request, actor, course_id)
    assessment = assessment_of(actor=actor, course=course)
    form = AssessmentForm(_data(request), instance=assessment, read_only=not course.is_open)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            saved = assessment_save(actor=actor, course=course, details=form.to_details())
            messages.success(request, "The assessment is saved.")
            if risk_alert_needed(saved.suicide_risk_screen):
                level = RiskScreen(saved.suicide_risk_screen).label.lower()
                messages.warning(request, RISK_ALERT_MESSAGE.format(level=level))
            return _to_section(course)
    context = {
        "course": course,
        "form": form,
        "assessment": assessment,
        "risk_alert": assessment is not None and risk_alert_needed(assessment.suicide_risk_screen),
        "sick_role": sick_role_guidance(course),
    }
    return render_form_page(request, "courses/initial/assessment.html", context)


# ---------------------------------------------------------------------------------------------------------
# The interpersonal inventory and its closeness circle


@member_view
@require_http_methods(["GET", "HEAD"])
def inventory_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = course_get_for_view(actor=actor, course_id=course_id)
    people = inventory_of(actor=actor, course=course)
    context = {
        "course": course,
        "rows": inventory_rows(people),
        "circle": closeness_circle(client_name=course.client.given_name, people=people),
    }
    return render(request, "courses/initial/inventory.html", context)


@member_view
@require_http_methods(GET_POST)
def person_add_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = _course(request, actor, course_id)
    form = PersonForm(_data(request), read_only=not course.is_open)
    with submitted_once(request, actor) as once:  # sent twice, added once (issue 16, item 1)
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and form.is_valid() and once.refusal_on(form):
            with errors_on(form):
                person = inventory_person_create(actor=actor, course=course, details=form.to_details())
                messages.success(request, f"{person.name} is in the inventory.")
                return once.done(redirect("course-initial-inventory", course_id=course.pk))
    return render_form_page(
        request, "courses/initial/person_form.html", {"course": course, "form": form, "creating": True}
    )


@member_view
@require_http_methods(GET_POST)
def person_edit_page(request: HttpRequest, actor: Actor, person_id: int) -> HttpResponse:
    if request.method == "POST":
        person = inventory_person_get(actor=actor, person_id=person_id)
    else:
        person = inventory_person_get_for_view(actor=actor, person_id=person_id)
    course = person.course
    form = PersonForm(_data(request), instance=person, read_only=not course.is_open)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            saved = inventory_person_update(actor=actor, person=person, details=form.to_details())
            messages.success(request, f"Changes to {saved.name} are saved.")
            return redirect("course-initial-inventory", course_id=course.pk)
    context = {"course": course, "form": form, "person": person, "creating": False}
    return render_form_page(request, "courses/initial/person_form.html", context)


@member_view
@require_http_methods(GET_POST)
def person_remove_page(request: HttpRequest, actor: Actor, person_id: int) -> HttpResponse:
    if request.method == "POST":
        person = inventory_person_get(actor=actor, person_id=person_id)
    else:
        person = inventory_person_get_for_view(actor=actor, person_id=person_id)
    course = person.course
    if request.method == "POST":
        with errors_as_messages(request):
            inventory_person_delete(actor=actor, person=person)
            messages.success(request, f"{person.name} was removed from the inventory.")
            return redirect("course-initial-inventory", course_id=course.pk)
    context = {"course": course, "person": person, "events": timeline_count_of_person(actor=actor, person=person)}
    return render_form_page(request, "courses/initial/person_remove.html", context)


# ---------------------------------------------------------------------------------------------------------
# The timeline


@member_view
@require_http_methods(["GET", "HEAD"])
def timeline_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = course_get_for_view(actor=actor, course_id=course_id)
    context = {"course": course, "events": timeline_of(actor=actor, course=course)}
    return render(request, "courses/initial/timeline.html", context)


@member_view
@require_http_methods(GET_POST)
def event_add_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = _course(request, actor, course_id)
    people = inventory_choices(actor=actor, course=course)
    form = EventForm(_data(request), people=people, read_only=not course.is_open)
    with submitted_once(request, actor) as once:  # sent twice, added once (issue 16, item 1)
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and form.is_valid() and once.refusal_on(form):
            with errors_on(form):
                timeline_event_create(actor=actor, course=course, details=form.to_details())
                messages.success(request, "The event is on the timeline.")
                return once.done(redirect("course-initial-timeline", course_id=course.pk))
    return render_form_page(
        request, "courses/initial/event_form.html", {"course": course, "form": form, "creating": True}
    )


@member_view
@require_http_methods(GET_POST)
def event_edit_page(request: HttpRequest, actor: Actor, event_id: int) -> HttpResponse:
    if request.method == "POST":
        event = timeline_event_get(actor=actor, event_id=event_id)
    else:
        event = timeline_event_get_for_view(actor=actor, event_id=event_id)
    course = event.course
    people = inventory_choices(actor=actor, course=course)
    form = EventForm(_data(request), instance=event, people=people, read_only=not course.is_open)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            timeline_event_update(actor=actor, event=event, details=form.to_details())
            messages.success(request, "The event is saved.")
            return redirect("course-initial-timeline", course_id=course.pk)
    context = {"course": course, "form": form, "event": event, "creating": False}
    return render_form_page(request, "courses/initial/event_form.html", context)


@member_view
@require_http_methods(GET_POST)
def event_remove_page(request: HttpRequest, actor: Actor, event_id: int) -> HttpResponse:
    if request.method == "POST":
        event = timeline_event_get(actor=actor, event_id=event_id)
    else:
        event = timeline_event_get_for_view(actor=actor, event_id=event_id)
    course = event.course
    if request.method == "POST":
        with errors_as_messages(request):
            timeline_event_delete(actor=actor, event=event)
            messages.success(request, "The event was removed from the timeline.")
            return redirect("course-initial-timeline", course_id=course.pk)
    return render_form_page(request, "courses/initial/event_remove.html", {"course": course, "event": event})


# ---------------------------------------------------------------------------------------------------------
# The Interpersonal Triad


@member_view
@require_http_methods(GET_POST)
def triad_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = _course(request, actor, course_id)
    people = inventory_choices(actor=actor, course=course)
    triad = triad_of(actor=actor, course=course)
    form = TriadForm(_data(request), instance=triad, people=people, read_only=not course.is_open)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            triad_save(actor=actor, course=course, details=form.to_details())
            messages.success(request, "The Interpersonal Triad is saved.")
            return _to_section(course)
    return render_form_page(request, "courses/initial/triad.html", {"course": course, "form": form})


urlpatterns = [
    path("courses/<int:course_id>/initial/assessment/", assessment_page, name="course-initial-assessment"),
    path("courses/<int:course_id>/initial/inventory/", inventory_page, name="course-initial-inventory"),
    path("courses/<int:course_id>/initial/inventory/new/", person_add_page, name="course-initial-person-add"),
    path("courses/initial/people/<int:person_id>/", person_edit_page, name="course-initial-person-edit"),
    path("courses/initial/people/<int:person_id>/remove/", person_remove_page, name="course-initial-person-remove"),
    path("courses/<int:course_id>/initial/timeline/", timeline_page, name="course-initial-timeline"),
    path("courses/<int:course_id>/initial/timeline/new/", event_add_page, name="course-initial-event-add"),
    path("courses/initial/events/<int:event_id>/", event_edit_page, name="course-initial-event-edit"),
    path("courses/initial/events/<int:event_id>/remove/", event_remove_page, name="course-initial-event-remove"),
    path("courses/<int:course_id>/initial/triad/", triad_page, name="course-initial-triad"),
]
