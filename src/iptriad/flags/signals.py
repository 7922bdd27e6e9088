"""When the flags are refreshed: after the transaction that changed one of their inputs commits, once per transaction.

Every input of iptriad.core.flags is a row of an app below: an administration, a risk alert (opened, acknowledged,
closed), a course (its phase, its therapist), its contract and sessions, a group member (status, transfer), a group
(closing, its facilitator), its sessions and attendance, a measure schedule, a reviewed case and its supervision
entry's date. A receiver only notes which treatment contexts (or courses, members, groups, entries, resolved at
commit) were touched; `transaction.on_commit` then refreshes them all once, outside the clinical write, so a failure
there never undoes the write (`flags_refresh_safely`). Writes that skip `save()` are told explicitly: the alert
acknowledgement sends `risk_alert_acknowledged`; a group's closing updates its members in bulk but saves the group.

After the refresh, `contexts_changed` tells what else is kept from the same inputs (the outcome rows, iptriad.outcomes,
a layer above) which contexts changed, so those inputs are watched in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from iptriad.courses.models import Course, CourseSession
from iptriad.courses.models.middle import TreatmentContract
from iptriad.flags.services import flags_refresh_safely
from iptriad.groups.models import Group, GroupMember, GroupSession, SessionAttendance
from iptriad.measures.models import Administration, MeasureSchedule, RiskAlert
from iptriad.measures.signals import risk_alert_acknowledged
from iptriad.supervision.models import ReviewedCase, SupervisionEntry
from iptriad.web.per_transaction import PerTransaction


@dataclass
class Touched:
    """What one transaction touched, by the key each input carries; resolved to contexts at commit."""

    contexts: set[int] = field(default_factory=set)
    courses: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    groups: set[int] = field(default_factory=set)
    entries: set[int] = field(default_factory=set)

    def context_ids(self) -> set[int]:
        ids = set(self.contexts)
        if self.courses:
            ids |= set(Course.objects.filter(pk__in=self.courses).values_list("treatment_context_id", flat=True))
        if self.members:
            ids |= set(GroupMember.objects.filter(pk__in=self.members).values_list("treatment_context_id", flat=True))
        if self.groups:
            ids |= set(
                GroupMember.objects.filter(group_id__in=self.groups).values_list("treatment_context_id", flat=True)
            )
        if self.entries:
            ids |= set(
                ReviewedCase.objects.filter(entry_id__in=self.entries).values_list("treatment_context_id", flat=True)
            )
            # A meeting a facilitator attended reviews their groups' members (iptriad.flags.facts).
            met = SupervisionEntry.attendees.through.objects.filter(supervisionentry_id__in=self.entries)
            ids |= set(
                GroupMember.objects.filter(group__facilitator_id__in=met.values("user_id")).values_list(
                    "treatment_context_id", flat=True
                )
            )
        return ids


_ATTRIBUTE = "_iptriad_flags_touched"

# Sent once the flags of the contexts a committed transaction touched were refreshed, with ``context_ids`` (a set).
# Sent robustly: a receiver's failure is its own (iptriad.outcomes.signals refreshes safely) and never the write's.
contexts_changed = Signal()


def _refresh(context_ids: set[int]) -> None:
    flags_refresh_safely(context_ids)
    if context_ids:
        contexts_changed.send_robust(sender=Touched, context_ids=context_ids)


# One refresh per transaction, of every context its writes touched, after it commits.
_per_transaction = PerTransaction(_ATTRIBUTE, Touched, lambda touched: _refresh(touched.context_ids()))
_note = _per_transaction.note


def _context(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    context_id = getattr(instance, "context_id", None) or getattr(instance, "treatment_context_id", None)
    if context_id is not None:
        _note(lambda t: t.contexts.add(context_id))


def _course(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Course):
        _note(lambda t: t.contexts.add(instance.treatment_context_id))
    else:
        _note(lambda t: t.courses.add(instance.course_id))


def _member(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, GroupMember):
        _note(lambda t: t.contexts.add(instance.treatment_context_id))
    else:
        _note(lambda t: t.members.add(instance.member_id))


def _group(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    group_id = instance.pk if isinstance(instance, Group) else instance.group_id
    _note(lambda t: t.groups.add(group_id))


def _entry(sender: type[Model], instance: SupervisionEntry, **kwargs: Any) -> None:
    _note(lambda t: t.entries.add(instance.pk))


def _attendees(sender: type[Model], instance: Any, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, SupervisionEntry):
        _note(lambda t: t.entries.add(instance.pk))


def _alert_acknowledged(sender: type[RiskAlert], alert: RiskAlert, **kwargs: Any) -> None:
    _context(sender, alert)


RECEIVERS: tuple[tuple[type[Model], Any], ...] = (
    (Administration, _context),
    (RiskAlert, _context),
    (MeasureSchedule, _context),
    (ReviewedCase, _context),
    (Course, _course),
    (TreatmentContract, _course),
    (CourseSession, _course),
    (GroupMember, _member),
    (SessionAttendance, _member),
    (Group, _group),
    (GroupSession, _group),
    (SupervisionEntry, _entry),
)


def connect() -> None:
    """Called from FlagsConfig.ready(); the dispatch uids make a second call harmless."""
    for model, receiver in RECEIVERS:
        uid = f"iptriad_flags_{model._meta.label_lower}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}_saved", weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}_deleted", weak=False)
    m2m_changed.connect(
        _attendees, sender=SupervisionEntry.attendees.through, dispatch_uid="iptriad_flags_attendees", weak=False
    )
    risk_alert_acknowledged.connect(
        _alert_acknowledged, sender=RiskAlert, dispatch_uid="iptriad_flags_alert_acknowledged", weak=False
    )
