"""The home page: what each role sees first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from iptriad.audit.models import AuditAction, AuditEvent
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def test_a_therapists_home_page_records_the_names_it_shows(personas):
    logged_in(personas.therapist_a).get(reverse("home"))
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_LISTED)
    assert event.detail["client_ids"] == [personas.client_a.pk]
