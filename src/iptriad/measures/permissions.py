"""Who may record and read measures and risk alerts.

Clinical data: therapists for the clients assigned to them and those they treat in an open treatment context (an
IPT course they run), supervisors for every client of the organisation. Administrators (who may be non-clinical
staff) and group facilitators do not see scores or risk alerts here.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import Action
from iptriad.clients.models import Client
from iptriad.measures.contexts import responsible_for, treated_by

M = TypeVar("M", bound=Model)

CLINICAL_ROLES = frozenset({Role.THERAPIST, Role.SUPERVISOR})
WHOLE_ORGANISATION_ROLES = frozenset({Role.SUPERVISOR})


def assigned_clients(actor: Actor, field: str) -> Q:
    """Rows of the clients assigned to the actor. A subquery on the clients' own index rather than a join: with the
    join, PostgreSQL hashed every client of the organisation to keep the risk alerts of a few (100 ms at 100,000)."""
    assigned = Client.objects.filter(organisation_id=actor.organisation.pk, therapist_id=actor.user_id)
    return Q(**{f"{field}__in": assigned.values("pk")})


class ClinicalRecordPolicy:
    """Rows that hang off a client (`client` foreign key): the same answer for measures, links and alerts."""

    def allows(self, actor: Actor, action: Action) -> bool:
        return actor.role in CLINICAL_ROLES and action in (Action.LIST, Action.VIEW, Action.CREATE, Action.UPDATE)

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[M]) -> QuerySet[M]:
        if not self.allows(actor, action):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        if actor.role in WHOLE_ORGANISATION_ROLES:
            return scoped
        return scoped.filter(assigned_clients(actor, "client_id") | treated_by(actor, "client_id"))

    def scope_clients(self, actor: Actor, action: Action, queryset: QuerySet[M]) -> QuerySet[M]:
        """The clients whose measures the actor may work with."""
        if not self.allows(actor, action):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        if actor.role in WHOLE_ORGANISATION_ROLES:
            return scoped
        return scoped.filter(Q(therapist_id=actor.user_id) | treated_by(actor, "pk"))


class RiskAlertPolicy(ClinicalRecordPolicy):
    """Risk alerts as the measures they come from, and one more reader: an open alert stays with the clinicians
    responsible for the context it arose in (a course's therapist), even once that course has closed, until it
    is closed with the assessment and the action taken."""

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[M]) -> QuerySet[M]:
        if not self.allows(actor, action):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        if actor.role in WHOLE_ORGANISATION_ROLES:
            return scoped
        return scoped.filter(
            assigned_clients(actor, "client_id")
            | treated_by(actor, "client_id")
            | (Q(closed_at__isnull=True) & responsible_for(actor, "context_id"))
        )


measure_policy = ClinicalRecordPolicy()
alert_policy = RiskAlertPolicy()
