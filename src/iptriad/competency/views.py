"""The competency pages: the team's overview, a person's record, the forms that add, change and remove training and
certifications, and the organisation's refresher interval."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import Actor
from iptriad.accounts.once import submitted_once
from iptriad.accounts.permissions import member_view
from iptriad.competency.forms import CertificationForm, RemoveForm, SettingsForm, TrainingForm
from iptriad.competency.permissions import CompetencyAction, competency_policy
from iptriad.competency.selectors import (
    certification_get,
    membership_id_of,
    person_get,
    person_record,
    person_viewed,
    refresher_months,
    team_overview,
    team_viewed,
    training_get,
)
from iptriad.competency.services import (
    DENIED,
    certification_remove,
    certification_save,
    refresher_interval_set,
    training_remove,
    training_save,
)
from iptriad.web.pages import errors_on, render_form_page

GET_POST = ["GET", "HEAD", "POST"]


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _require_manage(actor: Actor) -> None:
    if not competency_policy.allows(actor, CompetencyAction.MANAGE):
        raise PermissionDenied(DENIED)


def _record_of(actor: Actor, person_id: int) -> int | None:
    return membership_id_of(actor=actor, person_id=person_id)


def _back(actor: Actor, person_id: int) -> HttpResponse:
    """To the person's record; to the team when they have left the organisation since."""
    membership_id = _record_of(actor, person_id)
    if membership_id is None:
        return redirect("competency_team")
    return redirect("competency_person", membership_id=membership_id)


# ---------------------------------------------------------------------------------------------------------------
# The overview and a person's record


@member_view
@require_http_methods(["GET", "HEAD"])
def competency_team_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Supervisors and administrators see the team; a therapist or facilitator is taken to their own record."""
    if not competency_policy.allows(actor, CompetencyAction.TEAM):
        return redirect("competency_person", membership_id=request.membership.pk)  # type: ignore[attr-defined]
    rows = team_overview(actor=actor)
    team_viewed(actor=actor, rows=rows)
    context = {
        "rows": rows,
        "show_ratings": competency_policy.allows(actor, CompetencyAction.RATINGS),
        "refresher_months": refresher_months(actor.organisation),
        "overdue": sum(1 for row in rows if row.standing.overdue),
    }
    return render(request, "competency/team.html", context)


@member_view
@require_http_methods(["GET", "HEAD"])
def competency_person_page(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    membership = person_get(actor=actor, membership_id=membership_id)
    record = person_record(actor=actor, membership=membership)
    person_viewed(actor=actor, person=membership.user, ratings=record.ratings is not None)
    context = {
        "record": record,
        "may_manage": competency_policy.allows(actor, CompetencyAction.MANAGE),
        "may_see_team": competency_policy.allows(actor, CompetencyAction.TEAM),
        "is_own": membership.user_id == actor.user_id,
    }
    return render(request, "competency/person.html", context)


# ---------------------------------------------------------------------------------------------------------------
# Training


@member_view
@require_http_methods(GET_POST)
def competency_training_add_page(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    membership = person_get(actor=actor, membership_id=membership_id)
    person = membership.user
    _require_manage(actor)
    form = TrainingForm(_data(request))
    with submitted_once(request, actor) as once:  # sent twice, recorded once
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and form.is_valid() and once.refusal_on(form):
            with errors_on(form, above=("person",)):
                training = training_save(actor=actor, person=person, details=form.to_details())
                messages.success(request, f"The training {training.title} is on {person.full_name}'s record.")
                return once.done(redirect("competency_person", membership_id=membership.pk))
    context = {"form": form, "person": person, "membership_id": membership.pk, "training": None}
    return render_form_page(request, "competency/training_form.html", context)


@member_view
@require_http_methods(GET_POST)
def competency_training_edit_page(request: HttpRequest, actor: Actor, training_id: int) -> HttpResponse:
    training = training_get(actor=actor, training_id=training_id)
    _require_manage(actor)
    form = TrainingForm.for_training(_data(request), training)
    if request.method == "POST" and form.is_valid():
        with errors_on(form, above=("person",)):
            training_save(actor=actor, person=training.person, details=form.to_details(), training=training)
            messages.success(request, "The training record is saved.")
            return _back(actor, training.person_id)
    context = {
        "form": form,
        "person": training.person,
        "membership_id": _record_of(actor, training.person_id),
        "training": training,
    }
    return render_form_page(request, "competency/training_form.html", context)


@member_view
@require_http_methods(GET_POST)
def competency_training_remove_page(request: HttpRequest, actor: Actor, training_id: int) -> HttpResponse:
    training = training_get(actor=actor, training_id=training_id)
    _require_manage(actor)
    form = RemoveForm(_data(request))
    if request.method == "POST" and form.is_valid():
        training_remove(actor=actor, training=training)
        messages.success(request, f"The training {training.title} is removed from the record.")
        return _back(actor, training.person_id)
    context = {
        "form": form,
        "person": training.person,
        "membership_id": _record_of(actor, training.person_id),
        "what": f"the training “{training.title}”",
    }
    return render_form_page(request, "competency/remove.html", context)


# ---------------------------------------------------------------------------------------------------------------
# Certifications


@member_view
@require_http_methods(GET_POST)
def competency_certification_add_page(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    membership = person_get(actor=actor, membership_id=membership_id)
    person = membership.user
    _require_manage(actor)
    form = CertificationForm(_data(request))
    with submitted_once(request, actor) as once:
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and form.is_valid() and once.refusal_on(form):
            with errors_on(form, above=("person",)):
                certification = certification_save(actor=actor, person=person, details=form.to_details())
                messages.success(request, f"The certification {certification.what} is on {person.full_name}'s record.")
                return once.done(redirect("competency_person", membership_id=membership.pk))
    context = {"form": form, "person": person, "membership_id": membership.pk, "certification": None}
    return render_form_page(request, "competency/certification_form.html", context)


@member_view
@require_http_methods(GET_POST)
def competency_certification_edit_page(request: HttpRequest, actor: Actor, certification_id: int) -> HttpResponse:
    certification = certification_get(actor=actor, certification_id=certification_id)
    _require_manage(actor)
    form = CertificationForm.for_certification(_data(request), certification)
    if request.method == "POST" and form.is_valid():
        with errors_on(form, above=("person",)):
            certification_save(
                actor=actor, person=certification.person, details=form.to_details(), certification=certification
            )
            messages.success(request, "The certification is saved.")
            return _back(actor, certification.person_id)
    context = {
        "form": form,
        "person": certification.person,
        "membership_id": _record_of(actor, certification.person_id),
        "certification": certification,
    }
    return render_form_page(request, "competency/certification_form.html", context)


@member_view
@require_http_methods(GET_POST)
def competency_certification_remove_page(request: HttpRequest, actor: Actor, certification_id: int) -> HttpResponse:
    certification = certification_get(actor=actor, certification_id=certification_id)
    _require_manage(actor)
    form = RemoveForm(_data(request))
    if request.method == "POST" and form.is_valid():
        certification_remove(actor=actor, certification=certification)
        messages.success(request, f"The certification {certification.what} is removed from the record.")
        return _back(actor, certification.person_id)
    context = {
        "form": form,
        "person": certification.person,
        "membership_id": _record_of(actor, certification.person_id),
        "what": f"the certification “{certification.what}”",
    }
    return render_form_page(request, "competency/remove.html", context)


# ---------------------------------------------------------------------------------------------------------------
# The refresher interval


@member_view
@require_http_methods(GET_POST)
def competency_settings_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_manage(actor)
    form = SettingsForm(_data(request), initial={"refresher_months": refresher_months(actor.organisation)})
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            months = refresher_interval_set(actor=actor, months=form.cleaned_data["refresher_months"]).refresher_months
            messages.success(request, f"A refresher now falls due {months} months after a person's last training.")
            return redirect("competency_team")
    return render_form_page(request, "competency/settings.html", {"form": form})


urlpatterns = [
    path("", competency_team_page, name="competency_team"),
    path("people/<int:membership_id>/", competency_person_page, name="competency_person"),
    path("people/<int:membership_id>/training/add/", competency_training_add_page, name="competency_training_add"),
    path("training/<int:training_id>/edit/", competency_training_edit_page, name="competency_training_edit"),
    path("training/<int:training_id>/remove/", competency_training_remove_page, name="competency_training_remove"),
    path(
        "people/<int:membership_id>/certifications/add/",
        competency_certification_add_page,
        name="competency_certification_add",
    ),
    path(
        "certifications/<int:certification_id>/edit/",
        competency_certification_edit_page,
        name="competency_certification_edit",
    ),
    path(
        "certifications/<int:certification_id>/remove/",
        competency_certification_remove_page,
        name="competency_certification_remove",
    ),
    path("settings/", competency_settings_page, name="competency_settings"),
]
