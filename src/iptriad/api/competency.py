"""Competency records: the team's overview, a person's record, adding a training record. The same policy, services
and audit as the pages (iptriad.competency): a person whose record the caller may not see is a 404; an administrator
gets no fidelity ratings; only supervisors and administrators write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from iptriad.api.auth import actor_of
from iptriad.api.errors import ERRORS_PLAIN_READ, ERRORS_READ, ERRORS_WRITE
from iptriad.api.retries import idempotent
from iptriad.api.schemas.common import Id
from iptriad.api.schemas.competency import PersonRecordOut, TeamOut, TrainingIn, TrainingOut
from iptriad.competency.models import Certification
from iptriad.competency.permissions import CompetencyAction, competency_policy
from iptriad.competency.selectors import (
    Ratings,
    Standing,
    certification_state,
    person_get,
    person_record,
    person_viewed,
    refresher_months,
    team_overview,
    team_viewed,
)
from iptriad.competency.services import DENIED, TrainingDetails, training_save

router = Router(tags=["competency"])
DENIED_TEAM = (
    "Only supervisors and administrators see the team's records; read your own at /competency/people/{membership_id}."
)


def _standing(standing: Standing) -> dict[str, Any]:
    return {"refresher_due_on": standing.refresher_due_on, "due_on": standing.due_on, "overdue": standing.overdue}


def _ratings(ratings: Ratings | None) -> dict[str, Any] | None:
    if ratings is None:
        return None
    own, supervisor = ratings.latest_self, ratings.latest_supervisor
    return {
        "latest_self_score": own.score if own else None,
        "latest_self_on": own.rated_on if own else None,
        "latest_supervisor_score": supervisor.score if supervisor else None,
        "latest_supervisor_on": supervisor.rated_on if supervisor else None,
        "recent_count": ratings.recent_count,
    }


def _certification(certification: Certification | None, today: dt.date) -> dict[str, Any] | None:
    if certification is None:
        return None
    fields = ("id", "what", "body", "certified_on", "valid_until", "evidence")
    return {
        **{name: getattr(certification, name) for name in fields},
        "state": certification_state(certification, today),
    }


@router.get("/competency/people", response={200: TeamOut, **ERRORS_PLAIN_READ}, summary="List the team's records")
def competency_team_api(request: HttpRequest) -> dict[str, Any]:
    """Every active supervisor, therapist and facilitator with their record in short, overdue first. Supervisors
    and administrators (who get no ratings)."""
    actor = actor_of(request)
    if not competency_policy.allows(actor, CompetencyAction.TEAM):
        raise PermissionDenied(DENIED_TEAM)
    today = timezone.localdate()
    rows = team_overview(actor=actor)
    team_viewed(actor=actor, rows=rows)
    items = [
        {
            "membership_id": row.membership_id,
            "person": row.person,
            "role": row.role,
            "latest_training": row.latest_training,
            "latest_certification": _certification(row.latest_certification, today),
            "standing": _standing(row.standing),
            "ratings": _ratings(row.ratings),
        }
        for row in rows
    ]
    return {"refresher_months": refresher_months(actor.organisation), "items": items}


@router.get(
    "/competency/people/{int:membership_id}", response={200: PersonRecordOut, **ERRORS_READ}, summary="Read a record"
)
def competency_person_api(request: HttpRequest, membership_id: Id) -> dict[str, Any]:
    """A person's training, certifications, standing and (not for administrators) fidelity ratings. Therapists and
    facilitators read their own only."""
    actor = actor_of(request)
    membership = person_get(actor=actor, membership_id=membership_id)
    record = person_record(actor=actor, membership=membership)
    person_viewed(actor=actor, person=membership.user, ratings=record.ratings is not None)
    today = timezone.localdate()
    return {
        "membership_id": membership.pk,
        "person": membership.user,
        "role": record.role,
        "refresher_months": record.refresher_months,
        "standing": _standing(record.standing),
        "trainings": record.trainings,
        "certifications": [_certification(c, today) for c, _label in record.certifications],
        "ratings": _ratings(record.ratings),
    }


@router.post(
    "/competency/people/{int:membership_id}/training",
    response={201: TrainingOut, **ERRORS_WRITE},
    summary="Add a training record",
)
@idempotent
def competency_training_add_api(request: HttpRequest, membership_id: Id, payload: TrainingIn) -> Status[Any]:
    """Supervisors and administrators. Refused (422) by field: a date in the future, hours not above 0, a kind
    not offered."""
    actor = actor_of(request)
    person = person_get(actor=actor, membership_id=membership_id).user
    if not competency_policy.allows(actor, CompetencyAction.MANAGE):
        raise PermissionDenied(DENIED)
    details = TrainingDetails(
        kind=payload.kind,
        title=payload.title,
        provider=payload.provider,
        completed_on=payload.completed_on,
        hours=Decimal(str(payload.hours)) if payload.hours is not None else None,
        note=payload.note,
    )
    return Status(201, training_save(actor=actor, person=person, details=details))
