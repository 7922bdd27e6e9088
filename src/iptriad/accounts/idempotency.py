"""Idempotency keys: a creating request sent again with the same key is answered with the first answer, and
creates nothing (draft-ietf-httpapi-idempotency-key-header).

Generic storage, with no knowledge of the API's framework: a caller, inside the transaction that will create
the records, `idempotency_claim`s the key, then either `idempotency_keep`s the answer (a success) or
`idempotency_release`s the key (a refusal, which is not kept), and commits. Because the claim is a row under a
unique constraint, a second request with the same key waits at its own claim until the first commits, then
finds the kept answer and replays it (or, if the first was refused and released its key, goes ahead itself):
two requests with one key never both create, and nobody sees a half-state. iptriad.api.retries applies it to
the API's creating operations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from iptriad.accounts.models import IdempotencyKey, Organisation, User

KEY_LIFETIME = dt.timedelta(hours=24)
KEY_MIN_LENGTH = 8
KEY_MAX_LENGTH = 255
# Letters, digits and the characters of UUIDs, base64 and URL-safe base64: no spaces, quotes or commas (two
# headers joined into one by a proxy would otherwise pass as one key).
KEY_PATTERN = re.compile(rf"[A-Za-z0-9._~:/+=-]{{{KEY_MIN_LENGTH},{KEY_MAX_LENGTH}}}")

ERROR_KEY_FORMAT = (
    f"Idempotency-Key must be {KEY_MIN_LENGTH} to {KEY_MAX_LENGTH} letters, digits or '-', '_', '.', '~', ':', '/', "
    "'+', '='; a new random UUID for each request is best."
)
ERROR_KEY_REUSED = (
    "This Idempotency-Key was already used for a different request (another body or path). Send a new key with "
    "a new request; resend the same request unchanged to get its first answer."
)
ERROR_KEY_IN_PROGRESS = "A request with this Idempotency-Key is in progress: try again in a moment."


class IdempotencyKeyReusedError(Exception):
    """The key was kept for a different request."""


class IdempotencyKeyInProgressError(Exception):
    """The key is held by a request whose transaction has not finished (never seen where it can commit)."""


@dataclass(frozen=True)
class KeptAnswer:
    """The first request's answer, to be sent again as it was."""

    status: int
    content_type: str
    body: str


def idempotency_key_parse(header: str) -> str | None:
    """The key of an Idempotency-Key header, or None if it is malformed.

    The draft makes the header a structured-field string ("..."); a bare key, as most clients send, is taken
    as well.
    """
    value = header.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value if KEY_PATTERN.fullmatch(value) else None


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """SHA-256 of the request: a JSON body in a canonical form, so spacing and key order do not make a resent
    request look different; any other body as its bytes."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big"))  # length-prefixed: no two requests share a digest input
        digest.update(part)
    return digest.hexdigest()


def idempotency_claim(
    *, organisation: Organisation, user: User, key: str, fingerprint: str
) -> IdempotencyKey | KeptAnswer:
    """Claim `key` for this request, or answer the kept answer of the first request that used it.

    Must run inside the transaction that creates the request's records. Raises IdempotencyKeyReusedError if the key
    was used for a different request, IdempotencyKeyInProgressError if it is held by an unfinished one.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Claim an idempotency key inside the transaction that creates the records.")
    now = timezone.now()
    scope = IdempotencyKey.objects.filter(organisation=organisation, user=user, key=key)
    scope.filter(expires_at__lte=now).delete()  # an expired key is free again, even before the purge
    try:
        with transaction.atomic():  # a savepoint: the transaction goes on after a duplicate
            return IdempotencyKey.objects.create(
                organisation=organisation,
                user=user,
                key=key,
                fingerprint=fingerprint,
                created_at=now,
                expires_at=now + KEY_LIFETIME,
            )
    except IntegrityError:
        # Another request holds the key. On PostgreSQL the insert above waited for its transaction to end, so
        # this read (a new snapshot under READ COMMITTED) sees its row complete.
        pass
    kept = scope.first()
    if kept is None:  # released or expired in the meantime: the client may simply retry
        raise IdempotencyKeyInProgressError(key)
    if kept.fingerprint != fingerprint:
        raise IdempotencyKeyReusedError(key)
    if kept.status is None:
        raise IdempotencyKeyInProgressError(key)
    return KeptAnswer(status=kept.status, content_type=kept.content_type, body=kept.body)


def idempotency_keep(claim: IdempotencyKey, *, status: int, content_type: str, body: str) -> None:
    """Keep the answer of a request that succeeded, in its own transaction (before it commits)."""
    claim.status = status
    claim.content_type = content_type
    claim.body = body
    claim.save(update_fields=["status", "content_type", "body"])


def idempotency_release(claim: IdempotencyKey) -> None:
    """Free the key of a request that was refused: its answer is not kept, so a corrected retry may use it."""
    IdempotencyKey.objects.filter(pk=claim.pk).delete()


def idempotency_keys_purge() -> int:
    """Delete every expired key and its kept answer (done before each request that sends a key); how many."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
