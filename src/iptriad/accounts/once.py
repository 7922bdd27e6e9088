"""A creating form recorded once: the same submission sent again answers with the first result.

The form carries a random key made when it was shown (`{% once_key %}`, a hidden field). Its POST runs in one
transaction that claims the key for the member in their organisation (iptriad.accounts.idempotency, the same
storage and rules as the API's `Idempotency-Key`, decision 0026): a success keeps where it went (the redirect to
the new record), so a second identical submission (a double click, a resubmit after a lost answer, the browser's
"send again") is sent to the same record with a note, and creates nothing. Two submissions at the same moment
take turns at the key's unique index, and the second replays the first. A refused submission (the form shown
again with what to fix) frees its key. The same key with other entries is refused, never answered with another
submission's result. A POST without a key (a form from before this change) is carried out as before.

    with submitted_once(request, actor) as once:
        if once.replay is not None:
            return once.replay
        if form.is_valid() and once.refusal_on(form):
            with errors_on(form):
                record = ..._create(...)
                return once.done(redirect(...))
    return render_form_page(...)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from iptriad.accounts.actors import Actor
from iptriad.accounts.idempotency import (
    IdempotencyKeyInProgressError,
    IdempotencyKeyReusedError,
    KeptAnswer,
    idempotency_claim,
    idempotency_keep,
    idempotency_key_parse,
    idempotency_keys_purge,
    idempotency_release,
    request_fingerprint,
)
from iptriad.accounts.models import IdempotencyKey
from iptriad.web.pages import ONCE_FIELD

REPLAYED = "This was already recorded, and is shown here: sending the form again recorded nothing more."
ERROR_SENT_WITH_OTHER_ENTRIES = (
    "This form was already sent and recorded, with other entries: nothing more was recorded. To record another, "
    "send the form below again."
)
ERROR_IN_PROGRESS = "This form is being saved: wait a moment, then check the record before sending it again."
# A redirect is kept as its address: the replay sends the member to the same record.
KEPT_REDIRECT = "text/x-redirect"


@dataclass
class Once:
    """One submission of a creating form: what the view must answer, and what it answered."""

    claim: IdempotencyKey | None = None
    replay: HttpResponse | None = None
    refusal: str | None = None
    response: HttpResponse | None = field(default=None, repr=False)

    def refusal_on(self, form: BaseForm) -> bool:
        """True to go on; False after putting the refusal (a key reused or still in use) above the form's fields."""
        if self.refusal is None:
            return True
        form.add_error(None, self.refusal)
        return False

    def done(self, response: HttpResponse) -> HttpResponse:
        """The success's answer (a redirect to the new record), kept for a repeat of this submission."""
        self.response = response
        return response


def form_fingerprint(request: HttpRequest) -> str:
    """The submission: its path and every field's values in a fixed order (the CSRF token and the key aside)."""
    left_out = {ONCE_FIELD, "csrfmiddlewaretoken"}
    pairs = sorted(
        (name, value) for name in request.POST if name not in left_out for value in request.POST.getlist(name)
    )
    return request_fingerprint(method="POST", path=request.get_full_path(), body=urlencode(pairs).encode())


@contextmanager
def submitted_once(request: HttpRequest, actor: Actor) -> Iterator[Once]:
    """Around the handling of a creating form's POST (and its GET, which passes through untouched)."""
    key = idempotency_key_parse(request.POST.get(ONCE_FIELD, "")) if request.method == "POST" else None
    if key is None or actor.user is None:
        yield Once()
        return
    idempotency_keys_purge()  # a short statement of its own, before the transaction, as the API does
    with transaction.atomic():
        try:
            claimed: IdempotencyKey | KeptAnswer = idempotency_claim(
                organisation=actor.organisation, user=actor.member(), key=key, fingerprint=form_fingerprint(request)
            )
        except IdempotencyKeyReusedError:
            once = Once(refusal=ERROR_SENT_WITH_OTHER_ENTRIES)
        except IdempotencyKeyInProgressError:
            once = Once(refusal=ERROR_IN_PROGRESS)
        else:
            once = (
                Once(claim=claimed) if isinstance(claimed, IdempotencyKey) else Once(replay=_replay(request, claimed))
            )
        yield once
        if once.claim is None:
            return
        if once.response is not None and once.response.status_code in (301, 302, 303):
            location = once.response["Location"]
            idempotency_keep(once.claim, status=once.response.status_code, content_type=KEPT_REDIRECT, body=location)
        else:
            idempotency_release(once.claim)


def _replay(request: HttpRequest, kept: KeptAnswer) -> HttpResponse:
    messages.info(request, REPLAYED)
    if kept.content_type == KEPT_REDIRECT:
        return HttpResponseRedirect(kept.body)
    # Only a page keeps its answer this way; anything else is never sent back to a browser: the form again.
    return HttpResponseRedirect(request.get_full_path())
