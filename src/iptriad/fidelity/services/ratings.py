"""Rating a session: by the clinician who led it (self) or by a supervisor, once per side; changing it later."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.fidelity import Checklist, answer_errors, score
from iptriad.core.limits import NOTE_MAX, too_long_errors
from iptriad.courses.models import CourseSession
from iptriad.fidelity.models import FidelityRating, RaterRole
from iptriad.fidelity.permissions import FidelityAction, fidelity_policy
from iptriad.fidelity.selectors.sessions import RatedSession, checklist_for, checklist_of_rating
from iptriad.groups.models import GroupSession

ERROR_NOT_HELD = "This session was not held (or the client did not attend it): there is nothing to rate."
ERROR_RATED_TWICE = "You have already rated this session ({role}, on {day}). Change that rating instead."
ERROR_SUPERVISOR_RATED = "A supervisor has already rated this session ({name}, on {day})."
ERROR_NOT_RATER = "Only the person who made a rating may change it."
DENIED = "You may not rate this session."
CODE_RATED_TWICE = "rated_twice"


def rater_role_for(actor: Actor, session: RatedSession) -> RaterRole:
    """Self when the actor led the session; supervisor when they supervise; refused otherwise."""
    if actor.user_id in session.leaders and fidelity_policy.allows(actor, FidelityAction.RATE_OWN):
        return RaterRole.SELF
    if fidelity_policy.allows(actor, FidelityAction.RATE_SAMPLE):
        return RaterRole.SUPERVISOR
    raise PermissionDenied(DENIED)


def _check(checklist: Checklist, answers: Mapping[str, str], note: str) -> None:
    errors: dict[str, list[str]] = {}
    if problems := answer_errors(checklist, answers):
        errors["answers"] = problems
    if too_long := too_long_errors({"note": note}, {"note": NOTE_MAX}):
        errors["note"] = [too_long["note"]]
    if errors:
        raise ValidationError(errors)


def _lock(session: RatedSession) -> None:
    """Two raters of one side at once: the second waits, then finds the first's rating."""
    if session.course_session is not None:
        CourseSession.objects.select_for_update().filter(pk=session.course_session.pk).first()
    else:
        GroupSession.objects.select_for_update().filter(pk=session.pk).first()


@transaction.atomic
def rating_record(*, actor: Actor, session: RatedSession, answers: Mapping[str, str], note: str = "") -> FidelityRating:
    """Rate a held session with its checklist (iptriad.fidelity.selectors.sessions.checklist_for). A second rating
    of the same side is refused with CODE_RATED_TWICE: the caller offers to change the first."""
    role = rater_role_for(actor, session)
    if session.organisation_id != actor.organisation.pk:
        raise PermissionDenied(DENIED)
    if not session.is_held:
        raise ValidationError(ERROR_NOT_HELD)
    _lock(session)
    ratings = {rating.rater_role: rating for rating in session.ratings().select_related("form", "rater")}
    if (mine := ratings.get(role)) is not None:
        if role == RaterRole.SUPERVISOR and mine.rater_id != actor.user_id:
            raise ValidationError(
                ERROR_SUPERVISOR_RATED.format(name=mine.rater.full_name, day=f"{mine.rated_on:%d %b %Y}"),
                code=CODE_RATED_TWICE,
            )
        raise ValidationError(
            ERROR_RATED_TWICE.format(role=mine.get_rater_role_display().lower(), day=f"{mine.rated_on:%d %b %Y}"),
            code=CODE_RATED_TWICE,
        )
    other = next(iter(ratings.values()), None)
    checklist = checklist_for(session, existing=other)
    note = note.strip()
    _check(checklist, answers, note)
    clinician = actor.member() if role == RaterRole.SELF else (other.clinician if other else session.lead)
    rating = FidelityRating.objects.create(
        organisation_id=session.organisation_id,
        **session.rating_fields(),
        clinician=clinician,
        rater=actor.member(),
        rater_role=role,
        checklist=checklist.ref,
        form_id=checklist.form_id,
        answers=dict(answers),
        score=score(answers),
        note=note,
        rated_on=timezone.localdate(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.FIDELITY_RATED,
        obj=rating,
        detail={"session_kind": str(session.kind), "session": session.pk, "role": role, "checklist": checklist.ref},
    )
    return rating


@transaction.atomic
def rating_change(
    *, actor: Actor, session: RatedSession, rating: FidelityRating, answers: Mapping[str, str], note: str = ""
) -> FidelityRating:
    """Change one's own rating, with the checklist it was made with; the audit keeps the score it had."""
    if rating.rater_id != actor.user_id or rating.organisation_id != actor.organisation.pk:
        raise PermissionDenied(ERROR_NOT_RATER)
    locked = FidelityRating.objects.select_for_update(of=("self",)).select_related("form").get(pk=rating.pk)
    checklist = checklist_of_rating(locked, session)
    note = note.strip()
    _check(checklist, answers, note)
    before = locked.score
    locked.answers, locked.score, locked.note = dict(answers), score(answers), note
    locked.save(update_fields=["answers", "score", "note"])
    audit_record(
        actor=actor,
        action=AuditAction.FIDELITY_RATING_CHANGED,
        obj=locked,
        detail={
            "role": locked.rater_role,
            "score_before": str(before) if before is not None else None,
            "score": str(locked.score) if locked.score is not None else None,
        },
    )
    return locked
