import datetime as dt
import importlib
import json
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from iptriad.audit.chain import GENESIS_HASH, append_event, append_statements, chain_heads, verify_chains
from iptriad.audit.models import AuditAction, AuditChainHead, AuditEvent
from iptriad.audit.services import audit_record
from iptriad.cli import main
from tests.audit import tampering

pytestmark = pytest.mark.django_db


def _events(personas, count: int, organisation=None) -> list[AuditEvent]:
    actor = personas.actor(personas.therapist_a)
    if organisation is None:
        return [
            audit_record(actor=actor, action=AuditAction.CLIENT_VIEWED, obj=personas.client_a, detail={"n": n})
            for n in range(count)
        ]
    return [append_event(organisation=organisation, actor=None, action="test", detail={"n": n}) for n in range(count)]


def _kinds(report) -> list[tuple[int | None, str]]:
    return [(problem.sequence, problem.kind) for problem in report.problems]


def test_each_organisation_has_its_own_chain_of_linked_events(personas):
    alpha = _events(personas, 3)
    beta = [append_event(organisation=personas.org_b, actor=None, action="test")]
    system = [append_event(organisation=None, actor=None, action=AuditAction.LOGIN_FAILED)]
    assert [event.sequence for event in alpha] == [1, 2, 3]
    assert alpha[0].previous_hash == GENESIS_HASH
    assert [event.previous_hash for event in alpha[1:]] == [event.event_hash for event in alpha[:-1]]
    assert beta[0].sequence == 1
    assert system[0].sequence == 1
    head = AuditChainHead.objects.get(chain=personas.org_a.pk)
    assert (head.last_sequence, head.last_hash) == (3, alpha[-1].event_hash)


def test_a_clean_trail_verifies(personas):
    _events(personas, 5)
    append_event(organisation=None, actor=None, action=AuditAction.LOGIN_FAILED, ip_address="2001:DB8::1")
    report = verify_chains()
    assert report.ok, report.problems
    assert report.events_checked == 6
    assert [chain.chain for chain in report.chains] == ["(no organisation)", "alpha"]


def test_the_stored_event_is_exactly_what_was_hashed(personas):
    detail: dict[Any, Any] = {"ids": (1, 2), 3: "x", "floats": [1e20, 2.0, 0.1, 1.5e-07, -3.25]}
    event = append_event(
        organisation=personas.org_a, actor=None, action="test", detail=detail, ip_address="::FFFF:1.2.3.4"
    )
    assert event.detail == {"ids": [1, 2], "3": "x", "floats": [1e20, 2.0, 0.1, 1.5e-07, -3.25]}
    assert verify_chains(personas.org_a).ok


@pytest.mark.parametrize(
    "edit",
    [
        lambda event: tampering.set_detail(event, '{"n": 99}'),
        lambda event: tampering.set_action(event, AuditAction.CLIENT_UPDATED),
        lambda event: tampering.set_created_at(event, event.created_at + dt.timedelta(seconds=1)),
    ],
    ids=["detail", "action", "created_at"],
)
def test_an_edited_event_is_named(personas, edit):
    events = _events(personas, 5)
    edit(events[2])
    report = verify_chains()
    assert not report.ok
    assert _kinds(report) == [(3, "edited")]
    assert report.problems[0].event_id == events[2].pk


def test_a_deleted_event_leaves_a_gap(personas):
    events = _events(personas, 5)
    tampering.delete(events[1])
    report = verify_chains(personas.org_a)
    assert _kinds(report) == [(3, "deleted")]
    assert "sequence 2 missing" in report.problems[0].message


def test_swapped_events_are_caught(personas):
    events = _events(personas, 5)
    tampering.swap_content(events[1], events[3])
    kinds = _kinds(verify_chains())
    assert (2, "edited") in kinds
    assert (4, "edited") in kinds
    assert (3, "relinked") in kinds  # the event after the first swapped one no longer links to it


def test_a_deleted_tail_is_caught_by_the_head(personas):
    events = _events(personas, 4)
    tampering.delete(events[-1])
    report = verify_chains()
    assert [problem.kind for problem in report.problems] == ["truncated"]
    assert "sequence 4" in report.problems[0].message


def test_an_event_added_behind_the_applications_back_is_caught(personas):
    events = _events(personas, 2)
    forged = AuditEvent.objects.get(pk=events[-1].pk)
    forged.pk, forged.sequence = None, 3
    forged.save(force_insert=True)
    assert [problem.kind for problem in verify_chains().problems] == ["head"]


def test_a_deleted_head_is_caught(personas):
    _events(personas, 2)
    AuditChainHead.objects.filter(chain=personas.org_a.pk).delete()
    assert [problem.kind for problem in verify_chains().problems] == ["head"]


@pytest.mark.parametrize(
    ("chain", "organisation"),
    [("other", "a"), ("system", "a"), ("a", None)],
    ids=["another-organisations-chain", "system-chain-with-an-organisation", "organisation-chain-without-one"],
)
def test_a_chain_head_belongs_to_the_organisation_it_is_named_after(personas, chain, organisation):
    keys = {"a": personas.org_a.pk, "other": personas.org_b.pk, "system": AuditChainHead.SYSTEM_CHAIN}
    owner = personas.org_a if organisation == "a" else None
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditChainHead.objects.create(chain=keys[chain], organisation=owner, last_hash=GENESIS_HASH)


def test_chain_heads_give_each_chains_last_position_and_hash_ordered_by_chain(personas):
    assert chain_heads() == []
    beta = append_event(organisation=personas.org_b, actor=None, action="test")
    alpha = _events(personas, 3)
    system = append_event(organisation=None, actor=None, action=AuditAction.LOGIN_FAILED)
    heads = chain_heads()
    expected = [
        {
            "chain": AuditChainHead.SYSTEM_CHAIN,
            "organisation": None,
            "last_sequence": 1,
            "last_hash": system.event_hash,
        },
        {
            "chain": personas.org_a.pk,
            "organisation": personas.org_a.pk,
            "last_sequence": 3,
            "last_hash": alpha[-1].event_hash,
        },
        {
            "chain": personas.org_b.pk,
            "organisation": personas.org_b.pk,
            "last_sequence": 1,
            "last_hash": beta.event_hash,
        },
    ]
    assert heads == sorted(expected, key=lambda head: head["chain"])
    assert json.loads(json.dumps(heads)) == heads  # ready for a backup's manifest as it is


def test_the_verify_command_exits_0_on_a_clean_trail(personas, capsys):
    _events(personas, 3)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "alpha: 3 events checked, OK" in out
    assert "The audit trail is intact" in out


def test_the_verify_command_names_the_break_and_exits_1(personas, capsys):
    events = _events(personas, 3)
    tampering.set_action(events[0], AuditAction.LOGIN)
    with pytest.raises(SystemExit) as exit_status:
        main(["audit", "verify", "--organisation", "alpha"])
    assert exit_status.value.code == 1
    captured = capsys.readouterr()
    assert f"event {events[0].pk} (sequence 1): edited" in captured.out
    assert "The audit trail is broken: 1 problem." in captured.err


def test_the_verify_command_refuses_an_unknown_organisation(personas):
    with pytest.raises(CommandError, match="No organisation has the slug 'nowhere'"):
        call_command("audit", "verify", "--organisation", "nowhere")


def test_the_migration_seals_events_written_before_the_chain_oldest_first(personas):
    seal = importlib.import_module("iptriad.audit.migrations.0003_seal_existing_events").seal_existing_events
    now = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
    # Unchained rows as the old code wrote them: made-up positions, no hashes, inserted newest first.
    AuditEvent.objects.bulk_create(
        AuditEvent(
            organisation=organisation,
            action="old",
            created_at=now - dt.timedelta(minutes=n),
            sequence=1000 + n,
            previous_hash="",
            event_hash="",
        )
        for n in range(3)
        for organisation in (personas.org_a, None)
    )
    assert not verify_chains().ok
    with tampering.triggers_lifted():  # on PostgreSQL the migration runs before the trigger exists
        seal(apps, connection.schema_editor())
    report = verify_chains()
    assert report.ok, report.problems
    assert report.events_checked == 6
    chain = AuditEvent.objects.filter(organisation=personas.org_a).order_by("sequence")
    assert [event.created_at for event in chain] == sorted(event.created_at for event in chain)


def test_an_append_costs_one_statement_on_postgresql_three_elsewhere_however_long_the_chain(
    personas, django_assert_num_queries
):
    _events(personas, 20)
    actor = personas.actor(personas.therapist_a)
    # Claim the position (upsert of the head), insert the event, store its hash in the head; no savepoint. On
    # PostgreSQL the three run in one function call (decision 0040).
    expected = 1 if connection.vendor == "postgresql" else 3
    assert append_statements() == expected
    with django_assert_num_queries(expected):
        audit_record(actor=actor, action=AuditAction.CLIENT_VIEWED, obj=personas.client_a)
    with django_assert_num_queries(expected):
        append_event(organisation=None, actor=None, action=AuditAction.LOGIN_FAILED)  # the chain's first event


def test_a_rewritten_chain_passes_alone_but_not_against_a_hash_kept_elsewhere(personas, capsys):
    kept = _events(personas, 3)[-1].event_hash
    for event in AuditEvent.objects.filter(organisation=personas.org_a):
        tampering.delete(event)
    AuditChainHead.objects.filter(chain=personas.org_a.pk).delete()
    _events(personas, 3, organisation=personas.org_a)  # a forger recomputing every hash from the start
    assert verify_chains(personas.org_a).ok
    report = verify_chains(personas.org_a, expected={3: kept})
    assert _kinds(report) == [(3, "anchor")]
    assert _kinds(verify_chains(personas.org_a, expected={4: kept})) == [(None, "anchor")]
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--organisation", "alpha", "--expect", f"3:{kept}")
    assert "(sequence 3): anchor" in capsys.readouterr().out


def test_the_verify_command_checks_the_expected_hash_arguments(personas):
    event = _events(personas, 1)[0]
    call_command("audit", "verify", "--organisation", "alpha", "--expect", f"1:{event.event_hash.upper()}")
    with pytest.raises(CommandError, match="give SEQUENCE:HASH"):
        call_command("audit", "verify", "--organisation", "alpha", "--expect", "1:abc")
    with pytest.raises(CommandError, match="--expect needs --organisation"):
        call_command("audit", "verify", "--expect", f"1:{event.event_hash}")
