"""A course's measures pages: its trajectory charts (SVG images on the course and client pages) and its measure
schedule. The measures themselves are iptriad.measures'; the course decides who may see and change them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action, member_view
from iptriad.courses.models import Course
from iptriad.courses.selectors.measures import course_for_measures, course_schedules, course_trajectory_for_chart
from iptriad.measures.charts import trajectory_svg
from iptriad.measures.definitions import definition as instrument
from iptriad.measures.forms import ScheduleAddForm, ScheduleEditForm
from iptriad.measures.models import MeasureSchedule
from iptriad.measures.schedules import measure_schedule_add, measure_schedules_update
from iptriad.web.pages import errors_on, render_form_page

# The chart is an image of its own: it may use its inline <style> and nothing else (no script, no fetch).
SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


@member_view
@require_http_methods(["GET", "HEAD"])
def trajectory_svg_image(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    """One instrument's chart in a course (?instrument=phq9), drawn on the server, for an <img> on the pages."""
    trajectory = course_trajectory_for_chart(actor=actor, course_id=course_id, code=request.GET.get("instrument", ""))
    response = HttpResponse(trajectory_svg(trajectory), content_type="image/svg+xml")
    response["Content-Security-Policy"] = SVG_CONTENT_SECURITY_POLICY
    add_never_cache_headers(response)
    return response


def _schedule_page(
    request: HttpRequest,
    course: Course,
    schedules: list[MeasureSchedule],
    edit_form: ScheduleEditForm,
    add_form: ScheduleAddForm,
) -> HttpResponse:
    context = {"course": course, "schedules": schedules, "edit_form": edit_form, "add_form": add_form}
    return render_form_page(request, "courses/measure_schedule.html", context)


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def schedule_page(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    """A course's measure schedule: view it, and change every row in one go."""
    action = Action.UPDATE if request.method == "POST" else Action.VIEW
    course = course_for_measures(actor=actor, course_id=course_id, action=action)
    schedules = course_schedules(course=course)
    edit_form = ScheduleEditForm(request.POST or None, schedules=schedules, auto_id="edit_%s")
    if request.method == "POST" and edit_form.is_valid():
        with errors_on(edit_form):
            changed = measure_schedules_update(
                actor=actor, context=course.treatment_context, changes=edit_form.changes()
            )
            if changed:
                messages.success(request, "The measure schedule is saved.")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect("measures-schedule", course_id=course.pk)
    add_form = ScheduleAddForm(schedules=schedules, auto_id="add_%s")
    return _schedule_page(request, course, schedules, edit_form, add_form)


@member_view
@require_POST
def schedule_add_action(request: HttpRequest, actor: Actor, course_id: int) -> HttpResponse:
    course = course_for_measures(actor=actor, course_id=course_id, action=Action.UPDATE)
    schedules = course_schedules(course=course)
    add_form = ScheduleAddForm(request.POST, schedules=schedules, auto_id="add_%s")
    if add_form.is_valid():
        with errors_on(add_form):
            schedule = measure_schedule_add(
                actor=actor,
                context=course.treatment_context,
                code=add_form.cleaned_data["instrument"],
                cadence=add_form.cleaned_data["cadence"],
                every_n=add_form.cleaned_data["every_n"],
            )
            messages.success(request, f"{instrument(schedule.instrument_code).short_name} is now in the schedule.")
            return redirect("measures-schedule", course_id=course.pk)
    edit_form = ScheduleEditForm(schedules=schedules, auto_id="edit_%s")
    return _schedule_page(request, course, schedules, edit_form, add_form)


urlpatterns = [
    path("courses/<int:course_id>/measures/trajectory.svg", trajectory_svg_image, name="measures-trajectory-svg"),
    path("courses/<int:course_id>/measures/schedule/", schedule_page, name="measures-schedule"),
    path("courses/<int:course_id>/measures/schedule/add/", schedule_add_action, name="measures-schedule-add"),
]
