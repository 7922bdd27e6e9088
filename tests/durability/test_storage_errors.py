"""A full disk or an I/O error during a write: the person is told nothing was saved, and nothing was.

SQLite is really filled up (PRAGMA max_page_count caps the database at its current size, then writes go on
until SQLite answers SQLITE_FULL). PostgreSQL cannot be filled without root, so there a statement inside the
same transaction fails on the server with SQLSTATE 53100 (disk_full) half-way through the write.
"""

from __future__ import annotations

import errno
import html
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg.errors
import pytest
from django.db import OperationalError, connection
from django.db.utils import IntegrityError
from django.urls import reverse

from iptriad.audit.models import AuditEvent
from iptriad.measures.models import Administration, AdministrationAnswer, RiskAlert
from iptriad.measures.services import administration_record
from iptriad.web.storage_errors import FULL, IO, MESSAGES, storage_problem
from tests.api.conftest import api_as
from tests.conftest import Personas, logged_in

PHQ9 = [1, 1, 1, 1, 1, 1, 1, 2, 1]  # item 9 positive: the write also opens a risk alert
FULL_MESSAGE = "Nothing was saved: the server's storage is full. Try again later or tell your administrator."
WRITTEN_TABLES = (Administration, AdministrationAnswer, RiskAlert, AuditEvent)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="fills a SQLite database")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL server error")
# The service's transaction is the outermost one, as in production (SQLite may end it on SQLITE_FULL).
outermost_transaction = pytest.mark.django_db(transaction=True)


def phq9_form() -> dict[str, str]:
    return {**{f"item_{n}": str(p) for n, p in enumerate(PHQ9, start=1)}, "item_10": "-"}


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN_TABLES}


@contextmanager
def inserts_made() -> Iterator[list[tuple[str, bool]]]:
    """Each INSERT run meanwhile, by table, and whether it went through."""
    made: list[tuple[str, bool]] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        table = sql.split('"')[1] if sql.startswith("INSERT INTO") else None
        try:
            result = execute(sql, params, many, context)
        except Exception:
            if table:
                made.append((table, False))
            raise
        if table:
            made.append((table, True))
        return result

    with connection.execute_wrapper(wrapper):
        yield made


def assert_failed_half_way(made: list[tuple[str, bool]]) -> None:
    """Some rows of the write were stored before the storage refused one: a partial write to be undone."""
    assert made, "no INSERT was attempted"
    assert made[-1][1] is False, made
    assert any(stored for _, stored in made), made


@contextmanager
def sqlite_full(personas: Personas) -> Iterator[None]:
    """Cap the database at its size, then record PHQ-9s until one no longer fits: the storage is now full."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
    try:
        actor = personas.actor(personas.therapist_a)
        refused: OperationalError | None = None
        for _ in range(2000):
            try:
                administration_record(actor=actor, client=personas.client_a, code="phq9", answers=PHQ9)
            except OperationalError as error:
                refused = error
                break
        assert refused is not None, "the capped database never filled up"
        assert storage_problem(refused) == FULL
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")


@contextmanager
def postgres_disk_full_at_the_answers() -> Iterator[list[str]]:
    """The answers' INSERT, after the administration's own row, is replaced by a statement the server fails
    with SQLSTATE 53100 (disk_full): the write breaks half-way, inside its transaction. Yields the SQL seen."""
    failing = (
        "DO $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' "
        "USING ERRCODE = 'disk_full'; END $$"
    )
    seen: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        seen.append(sql)
        if sql.startswith('INSERT INTO "measures_administrationanswer"'):
            return execute(failing, None, False, context)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


@sqlite_only
@outermost_transaction
def test_a_full_sqlite_database_gives_the_page_a_503_and_keeps_nothing(personas):
    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk]) + "?instrument=phq9"
    with sqlite_full(personas):
        before = row_counts()
        with inserts_made() as made:
            response = http.post(url, phq9_form())
        after = row_counts()
    assert response.status_code == 503
    assert_failed_half_way(made)
    assert FULL_MESSAGE in html.unescape(response.content.decode())
    assert response["Retry-After"]
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'self'" in response["Content-Security-Policy"]  # the security headers still apply
    assert after == before


@sqlite_only
@outermost_transaction
def test_a_full_sqlite_database_gives_the_api_a_503_and_keeps_nothing(personas):
    api = api_as(personas.therapist_a, personas.org_a)
    with sqlite_full(personas):
        before = row_counts()
        with inserts_made() as made:
            response = api.post(
                f"/clients/{personas.client_a.pk}/administrations", {"instrument": "phq9", "answers": PHQ9}
            )
        after = row_counts()
    assert_failed_half_way(made)
    assert (response.status_code, response.json()) == (503, {"detail": [{"field": None, "message": FULL_MESSAGE}]})
    assert after == before


@sqlite_only
@outermost_transaction
def test_after_the_disk_is_freed_the_same_write_succeeds_without_a_restart(personas):
    api = api_as(personas.therapist_a, personas.org_a)
    path = f"/clients/{personas.client_a.pk}/administrations"
    with sqlite_full(personas):
        assert api.post(path, {"instrument": "phq9", "answers": PHQ9}).status_code == 503
    before = Administration.objects.count()
    assert api.post(path, {"instrument": "phq9", "answers": PHQ9}).status_code == 201
    assert Administration.objects.count() == before + 1


@postgres_only
@outermost_transaction
def test_a_postgres_disk_full_mid_write_gives_the_page_a_503_and_keeps_nothing(personas):
    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk]) + "?instrument=phq9"
    before = row_counts()
    with postgres_disk_full_at_the_answers() as seen:
        response = http.post(url, phq9_form())
    assert any(sql.startswith('INSERT INTO "measures_administration"') for sql in seen)  # the write was half-done
    assert response.status_code == 503
    assert FULL_MESSAGE in html.unescape(response.content.decode())
    assert row_counts() == before


@postgres_only
@outermost_transaction
def test_a_postgres_disk_full_mid_write_gives_the_api_a_503_and_keeps_nothing(personas):
    api = api_as(personas.therapist_a, personas.org_a)
    before = row_counts()
    with postgres_disk_full_at_the_answers() as seen:
        response = api.post(f"/clients/{personas.client_a.pk}/administrations", {"instrument": "phq9", "answers": PHQ9})
    assert (response.status_code, response.json()) == (503, {"detail": [{"field": None, "message": FULL_MESSAGE}]})
    assert any(sql.startswith('INSERT INTO "measures_administration"') for sql in seen)
    assert row_counts() == before


@outermost_transaction
def test_other_database_errors_stay_server_errors(personas, monkeypatch):
    """Only storage failures become 503: a bug must not be dressed up as a full disk."""

    def broken(**kwargs: Any) -> None:
        raise OperationalError("no such table: measures_administration")

    monkeypatch.setattr("iptriad.measures.views.administration_record", broken)
    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk]) + "?instrument=phq9"
    with pytest.raises(OperationalError):
        http.post(url, phq9_form())


def _sqlite_error(code: int, message: str) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return error


def _wrapped(cause: BaseException) -> OperationalError:
    """As Django raises it: its own error class, with the driver's error as the cause."""
    try:
        raise OperationalError(str(cause)) from cause
    except OperationalError as error:
        return error


@pytest.mark.parametrize(
    ("cause", "kind"),
    [
        (_sqlite_error(sqlite3.SQLITE_FULL, "database or disk is full"), FULL),
        (_sqlite_error(sqlite3.SQLITE_IOERR_WRITE, "disk I/O error"), IO),
        (_sqlite_error(sqlite3.SQLITE_IOERR_FSYNC, "disk I/O error"), IO),
        (sqlite3.OperationalError("database or disk is full"), FULL),
        (psycopg.errors.DiskFull("could not extend file"), FULL),
        (psycopg.errors.IoError("could not read block"), IO),
        (OSError(errno.ENOSPC, "No space left on device"), FULL),
        (OSError(errno.EIO, "Input/output error"), IO),
        (_sqlite_error(sqlite3.SQLITE_BUSY, "database is locked"), None),
        (sqlite3.OperationalError("no such table: x"), None),
        (psycopg.errors.UniqueViolation("duplicate key"), None),
        (OSError(errno.ENOENT, "No such file"), None),
    ],
)
def test_storage_errors_are_told_apart_from_other_errors(cause, kind):
    assert storage_problem(_wrapped(cause)) == kind


def test_an_integrity_error_is_not_a_storage_error():
    assert storage_problem(IntegrityError("UNIQUE constraint failed")) is None
    assert set(MESSAGES) == {FULL, IO}
