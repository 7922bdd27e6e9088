"""What only PostgreSQL enforces or exercises: the append-only trigger, roles, and truly concurrent appends."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from iptriad.accounts.models import Organisation
from iptriad.audit.chain import append_event, verify_chains
from iptriad.audit.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")

EVENTS = AuditEvent._meta.db_table


@pytest.mark.django_db
def test_the_application_cannot_update_or_delete_an_audit_event(personas):
    event = append_event(organisation=personas.org_a, actor=None, action="test")
    with pytest.raises(DatabaseError, match="append-only: UPDATE"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(DatabaseError, match="append-only: DELETE"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only: UPDATE"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {EVENTS} SET detail = '{{}}'::jsonb")  # noqa: S608
    assert AuditEvent.objects.get(pk=event.pk).action == "test"


@pytest.mark.django_db
def test_a_role_granted_only_insert_and_select_cannot_change_the_trail(personas):
    event = append_event(organisation=personas.org_a, actor=None, action="test")
    with transaction.atomic(), connection.cursor() as cursor:
        # Created and dropped inside this transaction: the role never outlives the test.
        cursor.execute("CREATE ROLE iptriad_audit_test_app NOLOGIN")
        cursor.execute(f"GRANT SELECT, INSERT ON {EVENTS} TO iptriad_audit_test_app")
        cursor.execute("SET LOCAL ROLE iptriad_audit_test_app")
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            cursor.execute(f"DELETE FROM {EVENTS} WHERE id = %s", [event.pk])  # noqa: S608
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            cursor.execute(f"TRUNCATE {EVENTS}")
        cursor.execute("RESET ROLE")
        transaction.set_rollback(True)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_in_one_organisation_never_fork_the_chain():
    organisation = Organisation.objects.create(name="Gamma", slug="gamma")
    writers, per_writer = 4, 25
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait()
            for n in range(per_writer):
                with transaction.atomic():
                    append_event(organisation=organisation, actor=None, action="test", detail={"w": writer, "n": n})
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sequences = list(AuditEvent.objects.filter(organisation=organisation).values_list("sequence", flat=True))
    assert sorted(sequences) == list(range(1, writers * per_writer + 1))
    report = verify_chains(organisation)
    assert report.ok, report.problems
    assert report.events_checked == writers * per_writer


@pytest.mark.django_db(transaction=True)
def test_the_first_appends_of_a_new_chain_race_without_error():
    """Writers that all append the first event of a new organisation's chain at once: one creates the head,
    the others wait for it and link after it (the head's organisation must not be a second unique key)."""
    writers, rounds = 4, 40
    errors: list[BaseException] = []
    for round_number in range(rounds):
        organisation = Organisation.objects.create(name=f"Race {round_number}", slug=f"race-{round_number}")
        start = threading.Barrier(writers)

        def write(organisation: Organisation = organisation, start: threading.Barrier = start) -> None:
            try:
                start.wait()
                with transaction.atomic():
                    append_event(organisation=organisation, actor=None, action="test")
            except BaseException as error:  # reported by the main thread
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=write) for _ in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [], f"round {round_number}"
        report = verify_chains(organisation)
        assert report.ok, report.problems
        assert report.events_checked == writers


@pytest.mark.django_db
def test_the_database_hashes_each_event_as_the_verifier_does_whatever_it_holds(personas):
    """`audit_append` hashes in PostgreSQL what `canonical_payload` serialises in Python (decision 0040)."""
    details = [
        {},
        {"client_ids": list(range(144)), "list": "dashboard", "page": 1, "searched": False},
        {"név": 'Zoë "quoted" \\ back\u2028slash', "float": 1.0, "big": 1e20, "nested": {"b": [1.5, None], "a": True}},
    ]
    events = [
        append_event(
            organisation=personas.org_a, actor=personas.therapist_a, action="test", detail=detail, ip_address=ip
        )
        for detail in details
        for ip in (None, "127.0.0.1", "2001:DB8::1")
    ]
    stored = {event.pk: event for event in AuditEvent.objects.filter(pk__in=[event.pk for event in events])}
    for event in events:
        assert (stored[event.pk].sequence, stored[event.pk].event_hash) == (event.sequence, event.event_hash)
        assert stored[event.pk].created_at == event.created_at
    report = verify_chains(personas.org_a)
    assert report.ok, report.problems
    assert [event.sequence for event in events] == list(range(events[0].sequence, events[0].sequence + len(events)))


@pytest.mark.django_db
def test_the_application_role_of_the_operators_guide_appends_through_the_function(personas):
    """docs/operators/audit.md: a role that may add events but never change them still appends (decision 0040)."""
    heads = AuditChainHead._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE ROLE iptriad_audit_test_appender NOLOGIN")
        cursor.execute(f"GRANT SELECT, INSERT ON {EVENTS} TO iptriad_audit_test_appender")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE ON {heads} TO iptriad_audit_test_appender")
        cursor.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO iptriad_audit_test_appender")
        cursor.execute("SET LOCAL ROLE iptriad_audit_test_appender")
        event = append_event(organisation=personas.org_a, actor=None, action="test", detail={"n": 1})
        cursor.execute("RESET ROLE")
        assert AuditEvent.objects.get(pk=event.pk).event_hash == event.event_hash
        assert verify_chains(personas.org_a).ok
        transaction.set_rollback(True)
