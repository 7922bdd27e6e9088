"""The demo's competency records: training and a certification for the therapist, supervisor and facilitator, one
refresher overdue, shown first on the supervisor's overview; a second load makes nothing more."""

from __future__ import annotations

import pytest
from django.urls import reverse

from iptriad.accounts.models import Membership, Organisation, User
from iptriad.competency.models import Certification, TrainingRecord
from iptriad.demo.competency import FACILITATOR, OVERDUE, SUPERVISOR, THERAPIST
from iptriad.demo.data import demo_load
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def test_the_demo_has_records_with_one_refresher_overdue_shown_first(demo):
    demo = Organisation.objects.get(slug="demo")
    for email in (SUPERVISOR, THERAPIST, FACILITATOR, OVERDUE):
        assert TrainingRecord.objects.filter(organisation=demo, person__email=email).exists(), email
    for email in (SUPERVISOR, THERAPIST, FACILITATOR):
        assert Certification.objects.filter(organisation=demo, person__email=email).exists(), email
    rows = TrainingRecord.objects.count()
    demo_load()
    assert TrainingRecord.objects.count() == rows
    supervisor = User.objects.get(email=SUPERVISOR)
    html = logged_in(supervisor, demo).get(reverse("competency_team")).content.decode()
    overdue = User.objects.get(email=OVERDUE)
    assert html.index(overdue.full_name) < html.index(User.objects.get(email=THERAPIST).full_name)
    assert "1 overdue" in html
    own = Membership.objects.get(organisation=demo, user__email=FACILITATOR)
    page = logged_in(own.user, demo).get(reverse("competency_person", args=[own.pk]))
    assert "WHO group IPT facilitator training" in page.content.decode()
