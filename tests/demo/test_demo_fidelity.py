"""The demo's fidelity ratings: self-ratings and the supervisor's sample over several weeks, with disagreement."""

from __future__ import annotations

import pytest

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation
from iptriad.demo.data import demo_load
from iptriad.fidelity.models import FidelityRating, RaterRole
from iptriad.fidelity.selectors.queue import self_ratings_due
from iptriad.fidelity.selectors.ratings import person_fidelity

pytestmark = pytest.mark.django_db


def _actor(email: str) -> Actor:
    demo = Organisation.objects.get(slug="demo")
    return Actor.for_membership(Membership.objects.get(organisation=demo, user__email=email))


def test_the_demo_has_ratings_by_both_sides_that_disagree_over_several_months(demo):
    assert demo.created_ratings == FidelityRating.objects.count() > 0
    therapist = _actor("therapist@demo.iptriad.example")
    facilitator = _actor("facilitator@demo.iptriad.example")
    supervisor = _actor("supervisor@demo.iptriad.example")
    for clinician in (therapist, facilitator):
        assert FidelityRating.objects.filter(clinician=clinician.user, rater_role=RaterRole.SUPERVISOR).exists()
        assert self_ratings_due(actor=clinician), "the newest sessions wait for a self-rating"
    membership = Membership.objects.get(user=therapist.user, organisation=therapist.organisation)
    page = person_fidelity(actor=supervisor, membership_id=membership.pk)
    assert len(page.months) >= 2
    assert any(pair.agreement.same < pair.agreement.compared for pair in page.pairs)
    assert demo_load().created_ratings == 0
