"""Reads the API needs beyond the apps' own selectors: tokens, a course with where it stands, measure lists.

Every clinical read is scoped by the owning policy (a foreign or missing object is a 404) and audited as the
pages audit theirs. A course's whole record is the course page's read (courses/selectors/course_page.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation
from iptriad.accounts.permissions import Action
from iptriad.accounts.tokens import token_hash
from iptriad.api.models import ApiToken
from iptriad.api.services import PREFIX_LENGTH
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.core.protocol import CourseStanding, course_standing
from iptriad.courses.models import Course, PhaseChange
from iptriad.courses.selectors.course import course_get_for_view, phase_changes
from iptriad.courses.snapshot import course_snapshot
from iptriad.measures.models import Administration, RiskAlert
from iptriad.measures.permissions import alert_policy

# --- Tokens ---------------------------------------------------------------------------------------------------


def api_token_for_secret(token: str) -> ApiToken | None:
    if not token or len(token) > 200:
        return None
    return ApiToken.objects.select_related("user", "organisation").filter(token_hash=token_hash(token)).first()


def membership_for_token(api_token: ApiToken) -> Membership | None:
    """The token member's membership as it is now: None once it (or the user) is deactivated."""
    return (
        Membership.objects.select_related("user", "organisation")
        .filter(user_id=api_token.user_id, organisation_id=api_token.organisation_id, is_active=True)
        .filter(user__is_active=True)
        .first()
    )


def api_token_by_prefix(prefix: str) -> ApiToken | None:
    if len(prefix) != PREFIX_LENGTH:
        return None
    return ApiToken.objects.select_related("user", "organisation").filter(prefix=prefix).first()


def api_tokens_of_organisation(*, organisation: Organisation) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organisation=organisation).select_related("user").order_by("-created_at", "-pk")


# --- Courses --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseOverview:
    """A course, where it stands by the protocol's rules (as the course page shows it), and its phase history."""

    course: Course
    standing: CourseStanding
    phase_changes: list[PhaseChange]


def course_overview(*, actor: Actor, course_id: int) -> CourseOverview:
    course = course_get_for_view(actor=actor, course_id=course_id)
    return CourseOverview(course, course_standing(course_snapshot(course)), phase_changes(course=course))


# --- Measures -------------------------------------------------------------------------------------------------


def administrations_listed(*, actor: Actor, client: Client, shown: list[Administration]) -> None:
    """Who saw which scores in a list (the API's lists and exports are reads of the clinical record)."""
    audit_record(
        actor=actor,
        action=AuditAction.MEASURE_VIEWED,
        obj=client,
        detail={"administration_ids": [administration.pk for administration in shown]},
    )


def with_course_keys(administrations: QuerySet[Administration]) -> QuerySet[Administration]:
    """Each administration with the course and course session it was given in (`course_id`, `session_id`), which
    the API shows; measures itself knows only the treatment context and occasion they stand for."""
    return administrations.annotate(course_id=F("context__course"), session_id=F("occasion__course_session"))


def course_keys_of(administration: Administration) -> Administration:
    """One administration with `course_id` and `session_id` set as with_course_keys gives them (one query), for the
    API's single-record answers."""
    keys = (
        Administration.objects.filter(pk=administration.pk)
        .values(course=F("context__course"), session=F("occasion__course_session"))
        .first()
    )
    administration.course_id = keys["course"] if keys is not None else None  # type: ignore[attr-defined]
    administration.session_id = keys["session"] if keys is not None else None  # type: ignore[attr-defined]
    return administration


def alert_ids_of_administration(*, actor: Actor, administration: Administration) -> list[int]:
    alerts = alert_policy.scope(actor, Action.VIEW, RiskAlert.objects.filter(administration=administration))
    return list(alerts.order_by("pk").values_list("pk", flat=True))
