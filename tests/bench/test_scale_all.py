"""The whole-data scale generator (bench/scale_all.py) at its tiny tier: counts, shapes, a sound audit chain, and the
same data from the same seed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from bench.scale_all import TIERS, build, counts, fingerprint
from iptriad.accounts.models import Organisation
from iptriad.courses.models import Course, CourseSession
from iptriad.measures.models import Administration

pytestmark = pytest.mark.django_db

CLIENTS = TIERS["T"]


def test_it_builds_every_kind_of_record_for_the_tiny_tier():
    build("scale-a", CLIENTS, seed=7, refresh=True)
    found = counts("scale-a")
    assert found["Client"] == CLIENTS
    assert 0.7 * CLIENTS < found["Course"] < 0.9 * CLIENTS
    assert found["ContextFlags"] == found["ContextOutcome"] == found["Course"] + found["GroupMember"]
    for table in ("CourseSession", "InventoryPerson", "TimelineEvent", "Administration", "AdministrationAnswer"):
        assert found[table] > found["Course"], table
    assert found["Group"] >= 1
    assert found["SessionAttendance"] > found["GroupMember"]
    assert found["AuditEvent"] > 5 * CLIENTS
    organisation = Organisation.objects.get(slug="scale-a")
    phases = set(Course.objects.filter(organisation=organisation).values_list("phase", flat=True))
    assert phases == {"initial", "middle", "termination", "maintenance", "closed"}
    attendance = set(CourseSession.objects.filter(organisation=organisation).values_list("attendance", flat=True))
    assert attendance == {"attended", "cancelled", "no_show"}
    instruments = Administration.objects.filter(organisation=organisation).values("instrument_code")
    assert {row["instrument_code"] for row in instruments.annotate(n=Count("pk"))} == {"phq9", "gad7"}
    report = StringIO()
    call_command("audit", "verify", stdout=report)
    assert "intact" in report.getvalue()


def test_it_gives_the_same_data_for_the_same_seed():
    half = CLIENTS // 2  # quicker, and enough to tell two data sets apart
    build("scale-a", half, seed=7, refresh=False)
    build("scale-b", half, seed=7, refresh=False)
    build("scale-c", half, seed=8, refresh=False)
    a, b, c = (fingerprint(Organisation.objects.get(slug=slug)) for slug in ("scale-a", "scale-b", "scale-c"))
    assert a == b
    assert a != c


def test_a_block_must_divide_the_tier_and_only_postgresql_copies_it():
    with pytest.raises(ValueError, match="must divide"):
        build("scale-x", CLIENTS, seed=7, block=75)
    if connection.vendor != "postgresql":
        with pytest.raises(ValueError, match="PostgreSQL only"):
            build("scale-x", CLIENTS, seed=7, block=CLIENTS // 2)
    assert not Organisation.objects.filter(slug="scale-x").exists()
