"""Not-on-track flags as stored: one row per treatment context (an IPT course, or a client's episode in a group),
computed by iptriad.core.flags when one of its inputs changes, and read by the course page, the group member's page
and the supervisor's dashboard without evaluating any rule on a view.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ContextFlags(models.Model):
    """The flags that fire for one treatment context now, with why each fired and since when."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    treatment_context = models.OneToOneField(
        "measures.TreatmentContext", on_delete=models.CASCADE, related_name="flags"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)  # the treatment context's kind: "course" or "group"
    # Who delivers the treatment (the course's therapist, the group's facilitator): the dashboard's rows.
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)  # an open course, a member still in a group
    flags = models.JSONField(default=list, blank=True)  # [{"code", "why", "since"}] in the order of core.flags.RULES
    flag_count = models.PositiveSmallIntegerField(default=0)
    worst = models.PositiveSmallIntegerField(null=True, blank=True)  # rank of the gravest flag; None when none fires
    rules_version = models.CharField(max_length=20)
    last_review_on = models.DateField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)  # when the set of flags last changed
    computed_at = models.DateTimeField(default=timezone.now)
    recheck_on = models.DateField(null=True, blank=True)  # the first day a rule may change with time alone

    class Meta:
        ordering = ("worst", "-changed_at", "pk")
        indexes = [
            models.Index(fields=("organisation", "clinician", "active", "worst"), name="flags_by_clinician"),
            models.Index(fields=("recheck_on",), name="flags_recheck"),
            # The dashboard's version reads the organisation's newest `computed_at` on every view
            # (iptriad.flags.dashboard.cache): one index probe, not a scan of its 10,000 rows at tier M.
            models.Index(fields=("organisation", "computed_at"), name="flags_computed"),
        ]

    def __str__(self) -> str:
        return f"flags of context {self.treatment_context_id}"
