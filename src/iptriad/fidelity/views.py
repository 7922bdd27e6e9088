"""The fidelity pages: what is waiting to be rated, rating one session, a rating beside the other side's, a person's
agreement over time, and (supervisors) the programme's forms and the sampling rule."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods, require_POST

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import member_view
from iptriad.core.fidelity import SESSION_TYPES, SessionKind, session_type_label
from iptriad.fidelity.charts import agreement_chart
from iptriad.fidelity.forms import FidelityFormForm, RatingForm, SamplingForm
from iptriad.fidelity.permissions import FidelityAction, fidelity_policy
from iptriad.fidelity.selectors.queue import (
    REMINDER_DAYS,
    default_one_in,
    own_sampling_rules,
    self_ratings_due,
    sessions_to_rate,
)
from iptriad.fidelity.selectors.ratings import people_summary, person_fidelity, rating_get, rating_pair
from iptriad.fidelity.selectors.sessions import active_forms, checklist_for, checklist_of_rating, rated_session_get
from iptriad.fidelity.services.forms import ERROR_SESSION_TYPE, form_retire, form_save
from iptriad.fidelity.services.ratings import CODE_RATED_TWICE, rater_role_for, rating_change, rating_record
from iptriad.fidelity.services.sampling import rated_people, sampling_rule_remove, sampling_rule_set
from iptriad.web.pages import errors_on, render_form_page

DENIED_PAGE = "Fidelity ratings are for clinicians and supervisors."


def _require(actor: Actor, action: FidelityAction) -> None:
    if not fidelity_policy.allows(actor, action):
        raise PermissionDenied(DENIED_PAGE)


@member_view
@require_http_methods(["GET", "HEAD"])
def fidelity_home_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require(actor, FidelityAction.VIEW)
    queue, more = sessions_to_rate(actor=actor)
    context = {
        "due": self_ratings_due(actor=actor),
        "reminder_days": REMINDER_DAYS,
        "queue": queue,
        "queue_more": more,
        "supervisor": fidelity_policy.allows(actor, FidelityAction.RATE_SAMPLE),
        "one_in": default_one_in(actor.organisation.pk),
    }
    return render(request, "fidelity/home.html", context)


def _rate(request: HttpRequest, actor: Actor, kind: SessionKind, session_id: int) -> HttpResponse:
    session = rated_session_get(actor=actor, kind=kind, session_id=session_id)
    role = rater_role_for(actor, session)
    ratings = {rating.rater_role: rating for rating in session.ratings().select_related("form")}
    mine = ratings.get(role)
    other = next((rating for side, rating in ratings.items() if side != role), None)
    checklist = checklist_of_rating(mine, session) if mine else checklist_for(session, existing=other)
    form = RatingForm(
        request.POST or None,
        checklist=checklist,
        initial_answers=mine.answers if mine else None,
        initial={"note": mine.note} if mine else None,
    )
    if request.method == "POST" and session.is_held and form.is_valid():
        try:
            if mine is not None:
                saved = rating_change(
                    actor=actor, session=session, rating=mine, answers=form.answers(), note=form.cleaned_data["note"]
                )
                messages.success(
                    request, f"Your rating is changed: {saved.score if saved.score is not None else '—'}%."
                )
            else:
                saved = rating_record(
                    actor=actor, session=session, answers=form.answers(), note=form.cleaned_data["note"]
                )
                messages.success(request, f"Rating saved: {saved.score if saved.score is not None else '—'}%.")
        except ValidationError as error:
            if getattr(error, "code", None) == CODE_RATED_TWICE:
                messages.error(request, error.messages[0])
                return redirect(request.path)  # shown again as the change of the rating already there
            if hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                form.add_error(None, error)
        else:
            return redirect("fidelity-rating", rating_id=saved.pk)
    context = {
        "session": session,
        "role": role,
        "mine": mine,
        "checklist": checklist,
        "form": form,
        "other_rated": other is not None,
    }
    return render_form_page(request, "fidelity/rate.html", context)


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def fidelity_rate_course_session_page(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    return _rate(request, actor, SessionKind.INDIVIDUAL, session_id)


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def fidelity_rate_group_session_page(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    return _rate(request, actor, SessionKind.GROUP, session_id)


@member_view
@require_http_methods(["GET", "HEAD"])
def fidelity_rating_page(request: HttpRequest, actor: Actor, rating_id: int) -> HttpResponse:
    rating = rating_get(actor=actor, rating_id=rating_id)
    pair = rating_pair(actor=actor, rating=rating)
    return render(request, "fidelity/rating.html", {"rating": rating, "pair": pair, "rows": pair.rows()})


@member_view
@require_http_methods(["GET", "HEAD"])
def fidelity_person_page(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    page = person_fidelity(actor=actor, membership_id=membership_id)
    return render(request, "fidelity/person.html", {"page": page, "chart": agreement_chart(page.months)})


@member_view
@require_http_methods(["GET", "HEAD"])
def fidelity_people_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require(actor, FidelityAction.MANAGE)
    return render(request, "fidelity/people.html", {"people": people_summary(actor=actor)})


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def fidelity_forms_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """One small form per session type, each filled with its active form's name and items (no query string)."""
    _require(actor, FidelityAction.MANAGE)
    active = active_forms(actor.organisation.pk)
    posted = request.POST.get("session_type", "") if request.method == "POST" else ""
    rows = []
    for value in SESSION_TYPES:
        current = active.get(value)
        initial = {"session_type": value}
        if current is not None:
            initial |= {"name": current.name, "items": "\n".join(item["text"] for item in current.items)}
        form = FidelityFormForm(
            request.POST if posted == value else None, initial=initial, prefix=value.replace(":", "-")
        )
        if posted == value and form.is_valid():
            with errors_on(form):
                saved = form_save(
                    actor=actor, session_type=value, name=form.cleaned_data["name"], items=form.item_lines()
                )
                messages.success(request, f"“{saved.name}” saved as version {saved.version}.")
                return redirect("fidelity-forms")
        rows.append((value, session_type_label(value), current, form))
    if posted and posted not in SESSION_TYPES:
        messages.error(request, ERROR_SESSION_TYPE)
    return render_form_page(request, "fidelity/forms.html", {"rows": rows, "open": posted})


@member_view
@require_POST
def fidelity_form_retire_action(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require(actor, FidelityAction.MANAGE)
    try:
        form = form_retire(actor=actor, session_type=request.POST.get("session_type", ""))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"“{form.name}” is no longer used: iptriad's checklist rates these sessions again.")
    return redirect("fidelity-forms")


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def fidelity_sampling_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require(actor, FidelityAction.MANAGE)
    people = rated_people(actor)
    form = SamplingForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        clinician = form.cleaned_data["clinician"]
        with errors_on(form):
            if form.removing:
                sampling_rule_remove(actor=actor, clinician=clinician)
                messages.success(request, f"{clinician.full_name}'s sessions follow the organisation's default again.")
            else:
                sampling_rule_set(actor=actor, one_in=form.cleaned_data["one_in"], clinician=clinician)
                messages.success(request, "Sampling rule saved.")
            return redirect("fidelity-sampling")
    context = {
        "form": form,
        "default": default_one_in(actor.organisation.pk),
        "own_rules": own_sampling_rules(actor.organisation.pk),
    }
    return render_form_page(request, "fidelity/sampling.html", context)


urlpatterns: list[URLPattern] = [
    path("", fidelity_home_page, name="fidelity"),
    path("rate/course-sessions/<int:session_id>/", fidelity_rate_course_session_page, name="fidelity-rate-course"),
    path("rate/group-sessions/<int:session_id>/", fidelity_rate_group_session_page, name="fidelity-rate-group"),
    path("ratings/<int:rating_id>/", fidelity_rating_page, name="fidelity-rating"),
    path("people/", fidelity_people_page, name="fidelity-people"),
    path("people/<int:membership_id>/", fidelity_person_page, name="fidelity-person"),
    path("forms/", fidelity_forms_page, name="fidelity-forms"),
    path("forms/retire/", fidelity_form_retire_action, name="fidelity-form-retire"),
    path("sampling/", fidelity_sampling_page, name="fidelity-sampling"),
]
