"""Tier L in minutes (issue 15, item 1): one block of clients drawn by bench/scale_all.py's Python path, then copied
by PostgreSQL itself, each copy with its own ids, identifiers and staff, and one audit chain over all of it.

Drawing a client in Python (its course, sessions, measures, records and their rows) runs at about 125 clients a
second: two hours and more for 1,000,000. So tier L draws a block (10,000 clients, seeded as every tier is), refreshes
its flags and outcome rows with the product's own refreshes, and then, table by table, one
`INSERT ... SELECT ... CROSS JOIN generate_series(1, copies)` writes the copies:

- every id moves by the copy's number times the table's span of ids in the block, and every foreign key to a copied
  table by that table's span, so each copy is a whole, consistent set of rows of its own;
- staff move as the Python path would assign them: client number n has therapist n mod therapists, group number g
  facilitator g mod facilitators; the supervisor and the administrator stay;
- the values that carry a number move with it: the client identifier (and the search text that starts with it), the
  group's and the site's names;
- the flags and outcome rows are copied with the rest: a copy's data differs from its block's only by its ids, so the
  refreshes would compute the same rows (`tests/bench/test_scale_blocks.py` recomputes them and compares).

The audit events of the block are staged, copied the same way, sorted by PostgreSQL and streamed back through Python,
which chains and hashes them in time order exactly as `iptriad audit verify` expects, and COPYs them in.

Foreign keys are not checked row by row while copying or chaining (`session_replication_role = replica`, the
standard bulk-load setting): the block's rows are consistent and every copy moves a key with the row it points at.
`dangling` counts keys that point nowhere (the test asserts none; at tier L it was run once by hand).

PostgreSQL only (generate_series, COPY, lpad, the replication role).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Model

Progress = Callable[[str, int, int, float], None]

# The apps whose organisation rows a block holds; staff, memberships and the audit trail are made apart.
APPS = ("clients", "measures", "courses", "groups", "flags", "outcomes")
STREAM = 20_000  # audit events fetched per round trip while chaining


@dataclass(frozen=True)
class Staff:
    """The tier's staff ids, each role a contiguous run (bulk_create gives them in order)."""

    therapists: Sequence[int]
    facilitators: Sequence[int]


@dataclass(frozen=True)
class Block:
    """What a copy moves by: the block's clients and groups, and each copied table's span of ids."""

    clients: int
    groups: int
    models: tuple[type[Model], ...]  # the tables to copy (copied_models)
    spans: dict[str, tuple[int, int]]  # table: (first id, span)


def copied_models(organisation_id: int) -> list[type[Model]]:
    """The block's tables: every model of APPS with rows of the organisation, except its one-per-organisation
    settings (they would be copied onto themselves)."""
    from django.apps import apps

    models = []
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        field = next((f for f in model._meta.concrete_fields if f.name == "organisation"), None)
        if field is None or field.one_to_one:
            continue
        if model._default_manager.filter(organisation_id=organisation_id).exists():
            models.append(model)
    return models


def measure_block(organisation_id: int, clients: int, groups: int) -> Block:
    from django.db.models import Max, Min

    models = tuple(copied_models(organisation_id))
    spans = {}
    for model in models:
        bounds = model._default_manager.filter(organisation_id=organisation_id).aggregate(low=Min("pk"), high=Max("pk"))
        spans[model._meta.db_table] = (bounds["low"], bounds["high"] - bounds["low"] + 1)
    return Block(clients=clients, groups=groups, models=models, spans=spans)


def _staff_sql(column: str, staff: Staff, block: Block) -> str:
    """A staff member's id in copy k: the one the Python path would have given client (or group) number n + k*block."""
    cases = []
    for people, per_copy in ((staff.therapists, block.clients), (staff.facilitators, block.groups)):
        if not people:
            continue
        first, count = people[0], len(people)
        assert list(people) == list(range(first, first + count)), "staff ids must run contiguously"
        cases.append(
            f"WHEN {column} BETWEEN {first} AND {first + count - 1} "
            f"THEN {first} + mod({column} - {first} + k * {per_copy}, {count})"
        )
    return f"CASE {' '.join(cases)} ELSE {column} END" if cases else column


def _target(field: Any) -> type[Model] | None:
    """The model a foreign key points at; None for any other field."""
    return field.related_model if field.is_relation and not isinstance(field.related_model, str) else None


def _numbered_sql(column: str, prefix: str, per_copy: int, width: int | None = None) -> str:
    """`prefix` + a number, moved by k * per_copy (zero-padded to `width` when given)."""
    number = f"(substr({column}, {len(prefix) + 1})::bigint + k * {per_copy})::text"
    return f"'{prefix}' || " + (f"lpad({number}, {width}, '0')" if width else number)


def _select_list(model: type[Model], staff: Staff, block: Block) -> tuple[list[str], list[str]]:
    """The columns of `model` and what each becomes in copy k."""
    table = model._meta.db_table
    columns, values = [], []
    for field in model._meta.concrete_fields:
        column = f"t.{field.column}"
        target = _target(field)
        if field.primary_key:
            value = f"{column} + k * {block.spans[table][1]}"
        elif target is not None and target._meta.db_table in block.spans:
            value = f"{column} + k * {block.spans[target._meta.db_table][1]}"
        elif target is not None and target._meta.label == "accounts.User":
            value = _staff_sql(column, staff, block)
        else:
            value = column
        columns.append(field.column)
        values.append(value)
    special = {
        ("clients_client", "identifier"): _numbered_sql("t.identifier", "C-", block.clients, width=7),
        ("groups_group", "name"): _numbered_sql("t.name", "Bench group ", block.groups),
        ("groups_programmesite", "name"): _numbered_sql(
            "t.name", "Bench site ", block.spans.get("groups_programmesite", (0, 0))[1]
        ),
    }
    for (special_table, column_name), value in special.items():
        if special_table == table:
            values[columns.index(column_name)] = value
    if table == "clients_client":  # the search text starts with the folded identifier
        identifier = values[columns.index("identifier")]
        values[columns.index("search_text")] = f"lower({identifier}) || substr(t.search_text, length(t.identifier) + 1)"
    return columns, values


def copy_block(organisation_id: int, copies: int, staff: Staff, block: Block, progress: Progress) -> None:
    """Write `copies` copies of the block after it, table by table, then move each table's id sequence past them."""
    from django.db import connection, transaction

    models = block.models
    started = time.perf_counter()
    for done, model in enumerate(models, start=1):
        table = model._meta.db_table
        columns, values = _select_list(model, staff, block)
        first, span = block.spans[table]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "  # noqa: S608 (our own names)
                f"FROM {table} t CROSS JOIN generate_series(1, %s) k "
                f"WHERE t.organisation_id = %s AND t.id BETWEEN %s AND %s",
                [copies, organisation_id, first, first + span - 1],
            )
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
        progress("copies", done, len(models), started)


def dangling(organisation_id: int) -> dict[str, int]:
    """Foreign keys of the copied tables that point at no row, by `table.column` (only those with any)."""
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for model in copied_models(organisation_id):
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                related = _target(field)
                if related is None:
                    continue
                target = related._meta.db_table
                cursor.execute(
                    f"SELECT count(*) FROM {table} t WHERE t.organisation_id = %s AND t.{field.column} IS NOT NULL "  # noqa: S608
                    f"AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.id = t.{field.column})",
                    [organisation_id],
                )
                count = cursor.fetchone()[0]
                if count:
                    found[f"{table}.{field.column}"] = count
    return found


def chain_copied_events(
    organisation_id: int,
    events: Sequence[Any],
    copies: int,
    staff: Staff,
    block: Block,
    progress: Progress,
) -> int:
    """Stage the block's events, copy them with their objects' ids moved, and append them all to the organisation's
    chain in time order; the number of events written."""
    from django.db import connection, transaction

    from iptriad.audit.models import AuditChainHead

    by_type = {"client": "clients_client", "course": "courses_course", "group": "groups_group"}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_staged_event")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_staged_event "
            "(at timestamptz, actor_id bigint, action text, object_type text, object_id bigint)"
        )
        with cursor.cursor.copy(
            "COPY bench_staged_event (at, actor_id, action, object_type, object_id) FROM STDIN"
        ) as copy:
            for event in events:
                copy.write_row((event.at, event.actor_id, event.action, event.object_type, int(event.object_id)))
    moved = " ".join(
        f"WHEN '{kind}' THEN {block.spans[table][1]}" for kind, table in by_type.items() if table in block.spans
    )
    select = (
        "SELECT at, actor_id, action, object_type, moved_id FROM ("  # noqa: S608
        f"SELECT e.at, {_staff_sql('e.actor_id', staff, block)} AS actor_id, e.action, e.object_type, "
        f"(e.object_id + k * CASE e.object_type {moved} END)::text AS moved_id "
        "FROM bench_staged_event e CROSS JOIN generate_series(0, %s) k) copied "
        'ORDER BY at, action, moved_id COLLATE "C"'
    )
    total = len(events) * (copies + 1)
    with transaction.atomic():
        with connection.cursor() as cursor:  # no deferred key check per event at the commit: 18 million at tier L
            cursor.execute("SET LOCAL session_replication_role = replica")
        head = AuditChainHead.objects.select_for_update().filter(chain=organisation_id).first()
        sequence = head.last_sequence if head else 0
        previous = head.last_hash if head else None
        sequence, previous = _chain(organisation_id, select, copies, sequence, previous, total, progress)
        AuditChainHead.objects.update_or_create(
            chain=organisation_id,
            defaults={"organisation_id": organisation_id, "last_sequence": sequence, "last_hash": previous},
        )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_staged_event")
    return total


def _chain(
    organisation_id: int,
    select: str,
    copies: int,
    sequence: int,
    previous: str | None,
    total: int,
    progress: Progress,
) -> tuple[int, str]:
    """Read the sorted events on a second connection and COPY them, chained, on Django's own."""
    import psycopg
    from django.db import connection

    from iptriad.audit.chain import GENESIS_HASH, canonical_payload, chain_hash

    previous = previous or GENESIS_HASH
    started = time.perf_counter()
    settings = connection.settings_dict
    reader = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    columns = (
        "organisation_id, actor_id, action, object_type, object_id, detail, ip_address, created_at, sequence, "
        "previous_hash, event_hash"
    )
    with reader, reader.cursor(name="bench_events") as rows, connection.cursor() as cursor:
        rows.itersize = STREAM
        rows.execute(select, [copies])
        with cursor.cursor.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy:
            for at, actor_id, action, object_type, object_id in rows:  # fetched `itersize` at a time
                sequence += 1
                payload = canonical_payload(
                    organisation_id=organisation_id,
                    actor_id=actor_id,
                    action=action,
                    object_type=object_type,
                    object_id=object_id,
                    detail={},
                    ip_address=None,
                    created_at=at,
                    sequence=sequence,
                )
                event_hash = chain_hash(previous, payload)
                copy.write_row(
                    (organisation_id, actor_id, action, object_type, object_id, "{}", None, at, sequence, previous,
                     event_hash)
                )  # fmt: skip
                previous = event_hash
                if sequence % (10 * STREAM) == 0:
                    progress("audit", sequence, total, started)
    progress("audit", total, total, started)
    return sequence, previous
