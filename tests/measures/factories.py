"""Measures, links and alerts for both test organisations, made through the real services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from iptriad.measures.models import Administration, RiskAlert, SelfReportLink
from iptriad.measures.services import (
    SelfReportOutcome,
    administration_record,
    self_report_link_create,
    self_report_receive,
)
from tests.conftest import Personas

# PHQ-9 answers with item 9 at "Several days": total 10, moderate, and a risk alert.
PHQ9_WITH_RISK = [1, 1, 1, 1, 1, 1, 1, 2, 1]
PHQ9_NO_RISK = [1, 1, 1, 1, 1, 1, 1, 2, 0]


def self_report_submit(*, token: str, answers: Sequence[int | None], ip_address: str | None) -> Administration:
    """A client's complete answers on a usable link: the administration they became."""
    receipt = self_report_receive(token=token, answers=answers, ip_address=ip_address)
    assert receipt.outcome == SelfReportOutcome.COMPLETED
    assert receipt.administration is not None
    return receipt.administration


@dataclass(frozen=True)
class ClinicalObjects:
    administration_a: Administration
    administration_b: Administration
    alert_a: RiskAlert
    alert_b: RiskAlert
    link_a: SelfReportLink
    link_b: SelfReportLink
    token_a: str
    token_b: str


def clinical_objects(personas: Personas) -> ClinicalObjects:
    actor_a = personas.actor(personas.therapist_a)
    actor_b = personas.actor(personas.therapist_b, personas.org_b)
    administration_a = administration_record(
        actor=actor_a, client=personas.client_a, code="phq9", answers=PHQ9_WITH_RISK
    )
    administration_b = administration_record(
        actor=actor_b, client=personas.client_b, code="phq9", answers=PHQ9_WITH_RISK
    )
    link_a, token_a = self_report_link_create(actor=actor_a, client=personas.client_a, code="phq9")
    link_b, token_b = self_report_link_create(actor=actor_b, client=personas.client_b, code="phq9")
    return ClinicalObjects(
        administration_a=administration_a,
        administration_b=administration_b,
        alert_a=administration_a.risk_alerts.get(),
        alert_b=administration_b.risk_alerts.get(),
        link_a=link_a,
        link_b=link_b,
        token_a=token_a,
        token_b=token_b,
    )
