"""The audit trail's hash chains: appending an event to its chain, and verifying every chain end to end.

Each organisation has one chain, and events without an organisation (a failed login of an unknown e-mail
address, a denied anonymous request) share the system chain. An event's `event_hash` is SHA-256 over the
previous event's hash and a canonical serialisation of every audited field, so changing, deleting or moving
an event breaks the chain at that point. The chain head (AuditChainHead) holds the last position and hash:
appends lock it, which keeps one chain from forking, and the verifier compares it with the last event, which
catches a deleted tail. Decision record: docs/decisions/0018-hash-chained-audit-trail.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from iptriad.audit.models import ORGANISATION_MODEL, AuditChainHead, AuditEvent
from iptriad.audit.parties import SavedRow

# The previous hash of a chain's first event.
GENESIS_HASH = "0" * 64
# Part of every hashed payload, so a future change of the serialisation can be told apart from tampering.
PAYLOAD_VERSION = 1
# Rows fetched per round trip while verifying: memory stays flat however long the trail is.
VERIFY_CHUNK = 2000
# Problems listed per chain; beyond that they are only counted (a rewritten trail would list every row).
PROBLEMS_LISTED_PER_CHAIN = 1000


def canonical_payload(
    *,
    organisation_id: int | None,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    detail: Any,
    ip_address: str | None,
    created_at: dt.datetime,
    sequence: int,
) -> bytes:
    """Sorted-key compact JSON of every audited field: the same bytes for the same event on any database."""
    head, middle, tail = payload_parts(
        organisation_id=organisation_id,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        ip_address=ip_address,
    )
    return (head + payload_time(created_at) + middle + str(sequence) + tail).encode("utf-8")


def payload_parts(
    *,
    organisation_id: int | None,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    detail: Any,
    ip_address: str | None,
) -> tuple[str, str, str]:
    """The canonical payload around its two values taken under the chain's lock: `head` + the time as text
    (`payload_time`) + `middle` + the sequence number + `tail`. PostgreSQL's append fills them in itself
    (AUDIT_APPEND_FUNCTION); `canonical_payload` joins them the same way, so the two cannot drift apart.

    The keys are those of the sorted-key compact JSON document (`created_at` sorts before `detail`, `sequence`
    before `v`), each value serialised as `json.dumps(..., sort_keys=True)` would inside the whole document.
    """
    fields = {
        "action": action,
        "actor": actor_id,
        "detail": _integral_floats_as_ints(detail),
        "ip": ip_address,
        "object_id": object_id,
        "object_type": object_type,
        "organisation": organisation_id,
    }
    text = {key: _json(value) for key, value in fields.items()}
    head = f'{{"action":{text["action"]},"actor":{text["actor"]},"created_at":"'
    middle = (
        f'","detail":{text["detail"]},"ip":{text["ip"]},"object_id":{text["object_id"]},'
        f'"object_type":{text["object_type"]},"organisation":{text["organisation"]},"sequence":'
    )
    tail = f',"v":{PAYLOAD_VERSION}}}'
    return head, middle, tail


def payload_time(created_at: dt.datetime) -> str:
    """The event's time in its payload: UTC, ISO 8601 with microseconds (PostgreSQL's twin: PAYLOAD_TIME_SQL)."""
    return created_at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _integral_floats_as_ints(value: Any) -> Any:
    """PostgreSQL's jsonb gives 1e+20 back as 100000000000000000000: both must serialise alike."""
    if type(value) in _UNCHANGED:  # the common case first: a list view's detail holds a hundred ids or more
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    return value


_UNCHANGED = frozenset({int, str, bool, type(None)})


def chain_hash(previous_hash: str, payload: bytes) -> str:
    return hashlib.sha256(previous_hash.encode("utf-8") + payload).hexdigest()


def chain_key(organisation_id: int | None) -> int:
    return organisation_id if organisation_id is not None else AuditChainHead.SYSTEM_CHAIN


# --- Appending ----------------------------------------------------------------------------------------


def append_event(
    *,
    organisation: SavedRow | None,
    actor: SavedRow | None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Add one event at the end of its chain; the only way events are written.

    Inside the caller's transaction the event commits (or rolls back) with the change it records; no savepoint
    of its own, so a failed append fails the caller's whole transaction rather than leaving the change unaudited.
    On PostgreSQL the append is one statement (the `audit_append` function, decision 0040), which outside a
    transaction commits on its own; elsewhere it is three, in a transaction.
    """
    # Stored exactly as hashed: a JSON round trip turns tuples into lists and keys into strings up front.
    detail = json.loads(json.dumps(detail or {}))
    ip_address = normalised_ip(ip_address)
    organisation_id = organisation.pk if organisation is not None else None
    actor_id = actor.pk if actor is not None else None
    if connection.vendor == "postgresql":
        return _append_in_one_statement(
            organisation_id, actor_id, str(action), object_type, object_id, detail, ip_address
        )
    with transaction.atomic(savepoint=False):
        sequence, previous_hash = _claim_next_position(organisation_id)
        created_at = timezone.now()  # taken under the chain's lock, so times rise along the chain
        event = AuditEvent(
            organisation_id=organisation_id,
            actor_id=actor_id,
            action=str(action),
            object_type=object_type,
            object_id=object_id,
            detail=detail,
            ip_address=ip_address,
            created_at=created_at,
            sequence=sequence,
            previous_hash=previous_hash,
        )
        event.event_hash = chain_hash(previous_hash, payload_of_event(event))
        event.save(force_insert=True)
        AuditChainHead.objects.filter(chain=chain_key(organisation_id)).update(last_hash=event.event_hash)
    return event


def append_statements() -> int:
    """Statements one append runs on this database (pages' query budgets count them): one call of PostgreSQL's
    `audit_append`; SQLite's claim, insert and head update."""
    return 1 if connection.vendor == "postgresql" else 3


class ChainAppendError(RuntimeError):
    """The database hashed an event differently from `canonical_payload`: the verifier would call it edited."""


def _append_in_one_statement(
    organisation_id: int | None,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any],
    ip_address: str | None,
) -> AuditEvent:
    """PostgreSQL: claim the position, hash, insert and move the head in one round trip (migration audit 0008),
    holding the chain's lock for one statement rather than five round trips (BEGIN, three statements, COMMIT)."""
    head, middle, tail = payload_parts(
        organisation_id=organisation_id,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        ip_address=ip_address,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM audit_append(%s, %s, %s, %s, %s, %s, %s::jsonb, %s::inet, %s, %s, %s, %s)",
            [
                chain_key(organisation_id),
                organisation_id,
                actor_id,
                action,
                object_type,
                object_id,
                json.dumps(detail),
                ip_address,
                GENESIS_HASH,
                head,
                middle,
                tail,
            ],
        )
        event_id, sequence, created_at, previous_hash, event_hash = cursor.fetchone()
    event = AuditEvent(
        id=event_id,
        organisation_id=organisation_id,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        ip_address=ip_address,
        created_at=created_at,
        sequence=int(sequence),
        previous_hash=previous_hash,
        event_hash=event_hash,
    )
    event._state.adding = False
    event._state.db = connection.alias
    # The verifier recomputes every hash in Python (`canonical_payload`, which joins the same parts): check the two
    # values the database filled in, the time and the sequence, now rather than at the next verification.
    payload = (head + payload_time(created_at) + middle + str(sequence) + tail).encode("utf-8")
    if chain_hash(previous_hash, payload) != event_hash:
        raise ChainAppendError(f"audit event {event_id} was hashed differently by the database")
    return event


def _claim_next_position(organisation_id: int | None) -> tuple[int, str]:
    """Take the chain's next sequence number and the hash to link to, locking the head until commit.

    One upsert instead of SELECT ... FOR UPDATE plus a create-if-missing step: the head row is created by the
    chain's first event, concurrent first appends cannot both create it, and every append costs the same.
    PostgreSQL holds the updated row's lock until commit; SQLite's IMMEDIATE transactions serialise writers.
    """
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)  # the model's own table, quoted
    sql = (
        f"INSERT INTO {table} AS head "  # noqa: S608  # nosec B608  # Django's table name, quoted
        "(chain, organisation_id, last_sequence, last_hash) "
        "VALUES (%s, %s, 1, %s) "
        "ON CONFLICT (chain) DO UPDATE SET last_sequence = head.last_sequence + 1 "
        "RETURNING last_sequence, last_hash"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [chain_key(organisation_id), organisation_id, GENESIS_HASH])
        sequence, previous_hash = cursor.fetchone()
    return int(sequence), str(previous_hash)


def normalised_ip(ip_address: str | None) -> str | None:
    """The address as the database gives it back (Django's IPv6 form, which PostgreSQL's inet keeps), or None."""
    if not ip_address:
        return None
    try:
        ipaddress.ip_address(ip_address)
    except ValueError:
        return None  # never store a made-up value
    prepared = AuditEvent._meta.get_field("ip_address").get_prep_value(ip_address)
    return str(prepared) if prepared else None


def payload_of_event(event: AuditEvent) -> bytes:
    return canonical_payload(
        organisation_id=event.organisation_id,
        actor_id=event.actor_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        detail=event.detail,
        ip_address=event.ip_address,
        created_at=event.created_at,
        sequence=event.sequence,
    )


def organisations() -> QuerySet[Any]:
    """The organisations chains belong to, found by the model's name: their slugs label the chains."""
    queryset: QuerySet[Any] = apps.get_model(ORGANISATION_MODEL)._default_manager.all()
    return queryset


# --- Reading the heads --------------------------------------------------------------------------------


class ChainHeadRecord(TypedDict):
    """One chain's head as JSON: `chain` is the organisation's id, or 0 for events without an organisation."""

    chain: int
    organisation: int | None
    last_sequence: int
    last_hash: str


def chain_heads() -> list[ChainHeadRecord]:
    """Every chain's head, ordered by chain: what a backup's manifest records of the trail it holds."""
    heads = AuditChainHead.objects.order_by("chain").values_list(
        "chain", "organisation_id", "last_sequence", "last_hash"
    )
    return [
        ChainHeadRecord(
            chain=int(key), organisation=organisation_id, last_sequence=int(sequence), last_hash=str(digest)
        )
        for key, organisation_id, sequence, digest in heads
    ]


# --- Verifying ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    """One break in a chain: which event (if any), where, what kind and what it means."""

    chain: str
    kind: str  # edited, deleted, relinked, reordered, truncated, head, anchor
    message: str
    event_id: int | None = None
    sequence: int | None = None

    def __str__(self) -> str:
        where = f"event {self.event_id} (sequence {self.sequence})" if self.event_id is not None else "chain head"
        return f"{self.chain}: {where}: {self.kind}: {self.message}"


@dataclass
class ChainReport:
    chain: str
    events_checked: int = 0
    last_sequence: int = 0
    last_hash: str = GENESIS_HASH
    problems: list[ChainProblem] = field(default_factory=list)
    problems_not_listed: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.problems_not_listed

    def add(self, kind: str, message: str, event_id: int | None = None, sequence: int | None = None) -> None:
        if len(self.problems) >= PROBLEMS_LISTED_PER_CHAIN:
            self.problems_not_listed += 1
            return
        self.problems.append(ChainProblem(self.chain, kind, message, event_id, sequence))


@dataclass
class VerificationReport:
    """The result of `verify_chains`: `.ok`, `.events_checked`, `.problems`, and a report per chain."""

    chains: list[ChainReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(chain.ok for chain in self.chains)

    @property
    def events_checked(self) -> int:
        return sum(chain.events_checked for chain in self.chains)

    @property
    def problems(self) -> list[ChainProblem]:
        return [problem for chain in self.chains for problem in chain.problems]

    @property
    def problem_count(self) -> int:
        return sum(chain.problem_count for chain in self.chains)


_ROW_FIELDS = (
    "pk",
    "organisation_id",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "detail",
    "ip_address",
    "created_at",
    "sequence",
    "previous_hash",
    "event_hash",
)


def verify_chains(
    organisation: SavedRow | None = None, *, expected: dict[int, str] | None = None
) -> VerificationReport:
    """Recompute every chain (or only `organisation`'s) from its first event and compare it with its head.

    `expected` maps sequence numbers of `organisation`'s chain to hashes kept elsewhere (docs/operators/audit.md):
    each must still be there, which catches a chain rewritten from its start with recomputed hashes.
    """
    if expected and organisation is None:
        raise ValueError("expected hashes belong to one organisation's chain")
    if organisation is not None:
        keys = [organisation.pk]
    else:
        with_events = AuditEvent.objects.order_by().values_list("organisation_id", flat=True).distinct()
        keys = sorted(set(AuditChainHead.objects.values_list("chain", flat=True)) | {chain_key(o) for o in with_events})
    names = dict(organisations().filter(pk__in=keys).values_list("pk", "slug"))
    report = VerificationReport()
    for key in keys:
        label = "(no organisation)" if key == AuditChainHead.SYSTEM_CHAIN else names.get(key, f"organisation {key}")
        chain = ChainReport(chain=label)
        # The head is read first and only events up to it are checked: events appended while the check runs
        # are newer than the head it read, not a fault.
        head = AuditChainHead.objects.filter(chain=key).first()
        _verify_events(chain, _chain_rows(key, up_to=head.last_sequence if head is not None else None), expected or {})
        _verify_head(chain, head)
        if head is not None:
            _verify_nothing_beyond_head(chain, key)
        report.chains.append(chain)
    return report


def _chain_events(key: int) -> QuerySet[AuditEvent]:
    if key == AuditChainHead.SYSTEM_CHAIN:
        return AuditEvent.objects.filter(organisation__isnull=True)
    return AuditEvent.objects.filter(organisation_id=key)


def _chain_rows(key: int, up_to: int | None) -> Iterator[tuple[Any, ...]]:
    events = _chain_events(key).order_by("sequence")
    if up_to is not None:
        events = events.filter(sequence__lte=up_to)
    return events.values_list(*_ROW_FIELDS).iterator(chunk_size=VERIFY_CHUNK)


def _verify_events(chain: ChainReport, rows: Iterable[tuple[Any, ...]], anchors: dict[int, str]) -> None:
    previous_created_at: dt.datetime | None = None
    unmatched = dict(anchors)  # hashes kept elsewhere, not yet met
    for (
        event_id,
        organisation_id,
        actor_id,
        action,
        object_type,
        object_id,
        detail,
        ip_address,
        created_at,
        sequence,
        previous_hash,
        stored_hash,
    ) in rows:
        chain.events_checked += 1
        payload = canonical_payload(
            organisation_id=organisation_id,
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail,
            ip_address=ip_address,
            created_at=created_at,
            sequence=sequence,
        )
        broken = False
        next_sequence = chain.last_sequence + 1
        if sequence != next_sequence:
            broken = True
            missing = str(next_sequence) if sequence == next_sequence + 1 else f"{next_sequence} to {sequence - 1}"
            chain.add("deleted", f"sequence {missing} missing: deleted events", event_id, sequence)
        elif previous_hash != chain.last_hash:
            broken = True
            chain.add(
                "relinked",
                f"its previous hash does not match event sequence {chain.last_sequence}: events before it were "
                "deleted and renumbered, rewritten, or moved",
                event_id,
                sequence,
            )
        if chain_hash(previous_hash, payload) != stored_hash:
            broken = True
            chain.add("edited", "its content no longer matches its hash: the event was changed", event_id, sequence)
        if broken and previous_created_at is not None and created_at < previous_created_at:
            chain.add("reordered", "it is dated before the event ahead of it in the chain", event_id, sequence)
        if sequence in unmatched and unmatched.pop(sequence) != stored_hash:
            rewritten = "its hash differs from the one kept elsewhere: the chain was rewritten"
            chain.add("anchor", rewritten, event_id, sequence)
        # Carry on from what is stored, so one edited event is reported once, not at every event after it.
        chain.last_sequence = sequence
        chain.last_hash = stored_hash
        previous_created_at = created_at
    for sequence in sorted(unmatched):
        chain.add("anchor", f"no event has sequence {sequence}, whose hash was kept elsewhere: it was deleted")


def _verify_head(chain: ChainReport, head: AuditChainHead | None) -> None:
    if head is None:
        if chain.events_checked:
            chain.add("head", "the chain has events but no head: the head row was deleted")
        return
    if head.last_sequence > chain.last_sequence:
        chain.add(
            "truncated",
            f"the head says the chain ends at sequence {head.last_sequence}, the events end at "
            f"{chain.last_sequence}: events at the end were deleted",
        )
    elif head.last_hash != chain.last_hash:
        chain.add("head", "the head's hash does not match the last event's: the last event or the head was changed")


def _verify_nothing_beyond_head(chain: ChainReport, key: int) -> None:
    """Events past the head were not appended by the application (it moves the head in the same transaction)."""
    last_event = _chain_events(key).aggregate(last=Max("sequence"))["last"]
    head = AuditChainHead.objects.filter(chain=key).first()  # read after the events: it only ever grows
    head_sequence = head.last_sequence if head is not None else 0
    if last_event is not None and last_event > head_sequence:
        chain.add(
            "head",
            f"events run to sequence {last_event} but the head stops at {head_sequence}: events were added "
            "around the application",
        )
