"""The demo has courses clearly not on track, and stored flags for the whole demo organisation."""

from __future__ import annotations

import pytest

from iptriad.accounts.models import Organisation
from iptriad.core.flags import FlagCode
from iptriad.courses.models import Course
from iptriad.demo.data import demo_load
from iptriad.flags.models import ContextFlags
from iptriad.measures.models import TreatmentContext

pytestmark = pytest.mark.django_db


def codes_of(identifier: str) -> set[str]:
    course = Course.objects.get(client__identifier=identifier, client__organisation__slug="demo")
    row = ContextFlags.objects.get(treatment_context_id=course.treatment_context_id)
    return {entry["code"] for entry in row.flags}


def test_the_demo_courses_off_track_carry_their_flags(demo):
    assert FlagCode.EARLY_NON_RESPONSE in codes_of("DEMO-0019")
    assert FlagCode.RELIABLE_DETERIORATION in codes_of("DEMO-0022")
    assert FlagCode.MISSED_SESSIONS in codes_of("DEMO-0025")
    improving = codes_of("DEMO-0028")
    assert FlagCode.NO_SUPERVISORY_REVIEW in improving
    assert not improving & {FlagCode.EARLY_NON_RESPONSE, FlagCode.RELIABLE_DETERIORATION, FlagCode.SELF_HARM}


def test_every_demo_context_has_its_row_and_a_second_load_keeps_them(demo):
    demo = Organisation.objects.get(slug="demo")
    contexts = TreatmentContext.objects.filter(organisation=demo).count()
    assert ContextFlags.objects.filter(organisation=demo).count() == contexts
    demo_load()
    assert ContextFlags.objects.filter(organisation=demo).count() == contexts
