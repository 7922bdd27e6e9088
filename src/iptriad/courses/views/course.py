"""Course pages: open a course, the course page, phase changes, the phase checklist, closing, the caseload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action, member_view, require
from iptriad.clients.selectors import client_get
from iptriad.core.protocol import Phase, course_standing, protocol
from iptriad.courses.forms.course import CourseCloseForm, CourseOpenForm, PhaseChangeForm
from iptriad.courses.models import Course
from iptriad.courses.models.course import TASK_ID_MAX_LENGTH
from iptriad.courses.page_sections import course_page_sections
from iptriad.courses.permissions import course_policy
from iptriad.courses.sections import SECTIONS
from iptriad.courses.selectors.course import caseload_rows, course_get
from iptriad.courses.selectors.course_page import CourseRecords, course_get_whole, course_records
from iptriad.courses.selectors.measures import due_by_course
from iptriad.courses.services.course import course_change_phase, course_close, course_open, course_task_mark
from iptriad.measures.selectors import open_alerts
from iptriad.web.pages import errors_as_messages, errors_on, render_form_page

CASELOAD_LIMIT = 500


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def course_open_page(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    # The client first: another organisation's client is a 404 for every role, before any role check.
    client = client_get(actor=actor, client_id=client_id, action=Action.VIEW)
    require(course_policy, actor, Action.CREATE)
    form = CourseOpenForm(request.POST or None, actor=actor, client=client)
    if request.method == "POST" and form.is_valid():
        # The service also answers about the client (archived, a course already open): above the form's fields. A
        # start date before birth together with an open course was a 500 (issue 16, found by the hostile input).
        with errors_on(form, above=("client",)):
            course = course_open(actor=actor, client=client, **form.cleaned_data)
            # IPT-M starts in the maintenance phase: say the phase the course really opened in.
            messages.success(request, f"The course is open, in its {course.get_phase_display().lower()} phase.")
            return redirect("course-detail", course_id=course.pk)
    return render_form_page(request, "courses/course_open.html", {"client": client, "form": form})


@member_view
@require_http_methods(["GET", "HEAD"])
def course_detail_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = course_get_whole(actor=actor, course_id=course_id)
    # Every section builds its part from the same records, read once for the whole page.
    records = course_records(actor=actor, course=course)
    return render(request, "courses/course_detail.html", _course_page_context(actor, course, records))


def _course_page_context(actor: Actor, course: Course, records: CourseRecords) -> dict[str, Any]:
    context: dict[str, Any] = {
        "course": course,
        "adaptation": protocol().adaptation(course.adaptation),
        "standing": course_standing(records.snapshot),
        "phase_changes": records.phase_changes,
    }
    context["stylesheets"] = [getattr(s, "STYLESHEET", "") for s in SECTIONS if getattr(s, "STYLESHEET", "")]
    context["sections"] = [
        {
            "title": section.TITLE,
            "template": section.TEMPLATE,
            "slug": section.__name__.rsplit(".", 1)[-1],
            **section.context(actor, course, records),
        }
        for section in SECTIONS
    ]
    # What the apps above courses add (flags, the supervision log), after the heading and before the phase's work.
    context["page_sections"] = course_page_sections.contexts(actor, course)
    return context


@member_view
@require_POST
def course_phase_action(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = course_get(actor=actor, course_id=course_id)
    form = PhaseChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the phase to move to.")
        return redirect("course-detail", course_id=course.pk)
    with errors_as_messages(request):
        course_change_phase(
            actor=actor, course=course, to_phase=Phase(form.cleaned_data["to_phase"]), note=form.cleaned_data["note"]
        )
        messages.success(request, f"The course is now in its {form.cleaned_data['to_phase']} phase.")
    return redirect("course-detail", course_id=course.pk)


class TaskForm(forms.Form):
    task_id = forms.CharField(max_length=TASK_ID_MAX_LENGTH)
    done = forms.BooleanField(required=False)


@member_view
@require_POST
def course_task_action(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = course_get(actor=actor, course_id=course_id)
    form = TaskForm(request.POST)
    if form.is_valid():
        with errors_as_messages(request):
            course_task_mark(actor=actor, course=course, **form.cleaned_data)
    return redirect(f"/courses/{course.pk}/#tasks")


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def course_close_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = course_get(actor=actor, course_id=course_id)
    form = CourseCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            course_close(actor=actor, course=course, **form.cleaned_data)
            messages.success(request, "The course is closed.")
            return redirect("course-detail", course_id=course.pk)
    # The client's open risk alerts keep the course open: the page names them before anyone fills the form.
    context = {"course": course, "form": form, "open_alerts": list(open_alerts(actor=actor, client=course.client))}
    return render_form_page(request, "courses/course_close.html", context)


@member_view
@require_http_methods(["GET", "HEAD"])
def caseload_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    require(course_policy, actor, Action.LIST)
    courses = caseload_rows(actor=actor, limit=CASELOAD_LIMIT)
    due = due_by_course(courses=courses, today=timezone.localdate())
    rows = [(course, due[course.course_id]) for course in courses]
    return render(request, "courses/caseload.html", {"rows": rows, "limit": CASELOAD_LIMIT})


urlpatterns = [
    path("clients/<int:client_id>/courses/new/", course_open_page, name="course-open"),
    path("courses/<int:course_id>/", course_detail_page, name="course-detail"),
    path("courses/<int:course_id>/phase/", course_phase_action, name="course-phase"),
    path("courses/<int:course_id>/tasks/", course_task_action, name="course-task"),
    path("courses/<int:course_id>/close/", course_close_page, name="course-close"),
    path("caseload/", caseload_page, name="caseload"),
]
