"""Tier L's path (bench/scale_blocks.py): a block drawn in Python and copied by PostgreSQL is whole, consistent, staffed
as the Python path would staff it, chained in the audit trail, and its copied flags and outcome rows are the ones the
product's refreshes compute."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from bench.scale_all import CLIENTS_PER_THERAPIST, _refresh, build, counts
from bench.scale_blocks import dangling
from iptriad.accounts.models import Organisation, Role
from iptriad.clients.models import Client
from iptriad.flags.models import ContextFlags
from iptriad.groups.models import Group
from iptriad.outcomes.models import ContextOutcome

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the copies are PostgreSQL's"),
    # The audit events are read back on a second connection, which sees only committed rows.
    pytest.mark.django_db(transaction=True),
]

BLOCK = 250  # fifteen group places: one group a block
CLIENTS = 3 * BLOCK  # three therapists, who do not divide a block: each copy moves them round


@pytest.fixture
def organisation() -> Organisation:
    build("scale-r", CLIENTS, seed=7, block=BLOCK, refresh=True)
    return Organisation.objects.get(slug="scale-r")


def _derived(model: type[ContextFlags | ContextOutcome], organisation: Organisation) -> list[tuple[object, ...]]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "computed_at")]
    return sorted(model.objects.filter(organisation=organisation).values_list(*fields), key=repr)


def test_the_copies_triple_every_table_of_the_block(organisation):
    found = counts("scale-r")
    assert found["Client"] == CLIENTS
    for table in ("Course", "CourseSession", "Administration", "AdministrationAnswer", "Group", "SessionAttendance"):
        assert found[table] > 0, table
        assert found[table] % 3 == 0, table
    assert found["ContextFlags"] == found["ContextOutcome"] == found["Course"] + found["GroupMember"]
    assert dangling(organisation.pk) == {}


def test_each_copied_client_has_its_own_number_and_the_therapist_of_that_number(organisation):
    therapists = sorted(organisation.memberships.filter(role=Role.THERAPIST).values_list("user_id", flat=True))
    assert len(therapists) == CLIENTS // CLIENTS_PER_THERAPIST == 3
    assert BLOCK % len(therapists) != 0
    clients = Client.objects.filter(organisation=organisation)
    numbers = sorted(int(identifier[2:]) for identifier in clients.values_list("identifier", flat=True))
    assert numbers == list(range(CLIENTS))
    for client in clients:
        number = int(client.identifier[2:])
        assert client.therapist_id == therapists[number % len(therapists)], client.identifier
        assert client.search_text.startswith(client.identifier.lower() + " ")
    assert sorted(Group.objects.filter(organisation=organisation).values_list("name", flat=True)) == [
        "Bench group 0",
        "Bench group 1",
        "Bench group 2",
    ]


def test_the_copied_flags_and_outcomes_are_what_the_refreshes_compute(organisation):
    copied = _derived(ContextFlags, organisation), _derived(ContextOutcome, organisation)
    _refresh(organisation.pk, progress=lambda *_: None)
    assert (_derived(ContextFlags, organisation), _derived(ContextOutcome, organisation)) == copied


def test_the_whole_audit_trail_is_one_intact_chain(organisation):
    report = StringIO()
    call_command("audit", "verify", stdout=report)
    assert "intact" in report.getvalue()
    assert counts("scale-r")["AuditEvent"] > 10 * CLIENTS
