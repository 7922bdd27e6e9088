"""Session pages: record a session with the session guide beside the form, see a session, correct one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from iptriad.accounts.actors import Actor
from iptriad.accounts.once import submitted_once
from iptriad.accounts.permissions import Action, member_view
from iptriad.courses.forms.sessions import CourseSessionForm, NextSessionForm
from iptriad.courses.models import Course
from iptriad.courses.selectors.course import course_get
from iptriad.courses.selectors.sessions import (
    SessionPanel,
    course_for_sessions,
    course_session_get_for_view,
    session_alerts,
    session_focus_areas,
    session_panel,
    strategies_named,
    strategy_groups,
    techniques_named,
)
from iptriad.courses.services.course import ERROR_NOT_OPEN
from iptriad.courses.services.sessions import (
    SessionSaved,
    course_next_session_set,
    course_session_record,
    course_session_update,
)
from iptriad.web.pages import errors_as_messages, errors_on, render_form_page


def _saved_messages(request: HttpRequest, saved: SessionSaved, verb: str) -> None:
    messages.success(request, f"Session {saved.session.number} {verb}.")
    if saved.alert is not None:
        link = reverse("alert-detail", kwargs={"alert_id": saved.alert.pk})
        messages.warning(
            request,
            format_html(
                'A risk alert is open for this client: <a href="{}">record the assessment and the action taken</a>.',
                link,
            ),
        )


def _form_page(
    request: HttpRequest, course: Course, panel: SessionPanel, form: CourseSessionForm, **extra: Any
) -> HttpResponse:
    context = {"course": course, "client": course.client, "panel": panel, "form": form, **extra}
    return render_form_page(request, "courses/sessions/session_form.html", context)


def _closed(request: HttpRequest, course: Course) -> HttpResponse:
    messages.error(request, ERROR_NOT_OPEN)
    return redirect("course-detail", course_id=course.pk)


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def course_session_new_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = course_for_sessions(actor=actor, course_id=course_id)
    if not course.is_open:
        return _closed(request, course)
    # The post needs only the problem areas to check the strategies; the panel beside the form is read when the form
    # is shown, so a session recorded does not pay for the guide, the counts and what is due.
    areas = session_focus_areas(actor=actor, course=course)
    form = CourseSessionForm(request.POST or None, strategy_groups=strategy_groups(areas))
    with submitted_once(request, actor) as once:  # a double click records one session (issue 16, item 1)
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and form.is_valid() and once.refusal_on(form):
            with errors_on(form):
                saved = course_session_record(actor=actor, course=course, details=form.to_details())
                _saved_messages(request, saved, "recorded")
                return once.done(redirect("course-session-detail", session_id=saved.session.pk))
    panel = session_panel(actor=actor, course=course, areas=areas)
    return _form_page(request, course, panel, form, number=panel.counts.next_number)


@member_view
@require_http_methods(["GET", "HEAD"])
def course_session_detail_page(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    session = course_session_get_for_view(actor=actor, session_id=session_id)
    context = {
        "session": session,
        "course": session.course,
        "client": session.course.client,
        "strategies": strategies_named(session.strategies),
        "techniques": techniques_named(session.techniques),
        "alerts": session_alerts(session=session),
    }
    return render(request, "courses/sessions/session_detail.html", context)


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def course_session_edit_page(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    session = course_session_get_for_view(actor=actor, session_id=session_id, action=Action.UPDATE)
    course = session.course
    if not course.is_open:
        return _closed(request, course)
    panel = session_panel(actor=actor, course=course)
    form = CourseSessionForm(
        request.POST or None, strategy_groups=strategy_groups(panel.areas, keep=session.strategies), session=session
    )
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            saved = course_session_update(actor=actor, session=session, details=form.to_details())
            _saved_messages(request, saved, "saved")
            return redirect("course-session-detail", session_id=saved.session.pk)
    return _form_page(request, course, panel, form, number=session.number, session=session)


@member_view
@require_POST
def course_next_session_action(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    """Plan (or clear) the next session from the course page; a refusal comes back as a message on the page."""
    course = course_get(actor=actor, course_id=course_id)
    form = NextSessionForm(request.POST)
    clear = bool(request.POST.get("clear"))
    if not clear and (not form.is_valid() or form.cleaned_data["next_session_at"] is None):
        messages.error(request, "Give the next session's date and time.")
    else:
        starts_at = None if clear else form.cleaned_data["next_session_at"]
        with errors_as_messages(request):
            course_next_session_set(actor=actor, course=course, starts_at=starts_at)
            messages.success(request, "The next session is planned." if starts_at else "No next session is planned.")
    return redirect(f"/courses/{course.pk}/#next-session")


urlpatterns: list[URLPattern] = [
    path("courses/<int:course_id>/next-session/", course_next_session_action, name="course-next-session"),
    path("courses/<int:course_id>/sessions/new/", course_session_new_page, name="course-session-new"),
    path("courses/sessions/<int:session_id>/", course_session_detail_page, name="course-session-detail"),
    path("courses/sessions/<int:session_id>/edit/", course_session_edit_page, name="course-session-edit"),
]
