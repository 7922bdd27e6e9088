"""The demo's supervision history: worth opening for the demo supervisor, and loaded once."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from iptriad.accounts.models import User
from iptriad.demo.data import demo_load
from iptriad.supervision.models import ReviewedCase, SupervisionAction, SupervisionEntry
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_supervision_history_with_a_group_member_and_an_overdue_action(demo):
    assert SupervisionEntry.objects.count() == 5
    assert ReviewedCase.objects.filter(treatment_context__kind="course").exists()
    assert ReviewedCase.objects.filter(treatment_context__kind="group").exists()
    actions = SupervisionAction.objects.all()
    assert actions.filter(done_on__isnull=False).count() >= 2
    assert actions.filter(done_on__isnull=True, due_on__lt=timezone.localdate()).count() == 1
    demo_load()
    assert SupervisionEntry.objects.count() == 5
    supervisor = User.objects.get(email="supervisor@demo.iptriad.example")
    page = logged_in(supervisor).get(reverse("supervision_log"))
    assert page.content.count(b'href="/supervision/log/') >= 4
    therapist = User.objects.get(email="therapist@demo.iptriad.example")
    assert b"Your supervision actions" in logged_in(therapist).get(reverse("home")).content
