"""A client stops the service's messages: from the stop link in any message, or by answering STOP to an SMS.

No member acts: the client does, so the audit event has none (with how they asked). Every message still queued
to them is cancelled in the same transaction, and opting in again is the therapist's: they record the client's
consent again, with its new date (iptriad.clients.services.client_update).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping

from django.db import transaction

from iptriad.accounts.tokens import token_hash
from iptriad.clients.models import Client
from iptriad.clients.services import client_messages_opt_out
from iptriad.notifications.links import REASON_OPTED_OUT, client_messages_stopped
from iptriad.notifications.models import Channel, Message, ScheduledLink

VIA_LINK = "stop_link"
VIA_SMS = "sms_stop"

# The words Twilio (and carriers) treat as an opt-out: https://help.twilio.com/articles/223134027
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})


def client_for_stop_token(token: str) -> Client | None:
    """The client a message's stop link is for (any state of its link: a stop link works for good), or None."""
    row = ScheduledLink.objects.select_related("client__organisation").filter(stop_token_hash=token_hash(token)).first()
    return row.client if row is not None else None


@transaction.atomic
def messages_stop(*, client: Client, via: str, ip_address: str | None) -> bool:
    """Record the opt-out, cancel what is queued to the client; False when they had opted out already."""
    changed = client_messages_opt_out(client=client, via=via, ip_address=ip_address)
    client_messages_stopped(client, REASON_OPTED_OUT)
    return changed


def phone_key(number: str) -> str:
    """A number as compared with a sender's: digits only, with "00" read as the international "+"."""
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("00"):
        digits = digits[2:]
    return digits


def clients_messaged_at(number: str) -> list[Client]:
    """The clients iptriad has sent an SMS to at this number (any organisation: the sending number is the
    installation's, so a STOP to it stops them all). Read over the SMS messages to clients, compared in Python: the
    numbers are stored as entered, and SMS to clients are few beside everything else."""
    key = phone_key(number)
    if len(key) < 7:
        return []
    ids = {
        client_id
        for client_id, address in Message.objects.filter(channel=Channel.SMS, to_client__isnull=False).values_list(
            "to_client_id", "address"
        )
        if phone_key(address) == key
    }
    return list(Client.objects.select_related("organisation").filter(pk__in=ids))


def sms_stop(*, sender: str, body: str, ip_address: str | None) -> int:
    """An inbound SMS: STOP (or another opt-out word) opts out every client messaged at the sender's number."""
    if body.strip().upper().rstrip(".!") not in STOP_WORDS:
        return 0
    return sum(
        1 for client in clients_messaged_at(sender) if messages_stop(client=client, via=VIA_SMS, ip_address=ip_address)
    )


def twilio_signature(auth_token: str, url: str, params: Mapping[str, list[str]]) -> str:
    """Twilio's X-Twilio-Signature: HMAC-SHA1 with the auth token of the full URL followed by each POST parameter
    (sorted by name) as name and value, base64 (https://www.twilio.com/docs/usage/webhooks/webhooks-security)."""
    payload = url + "".join(f"{name}{value}" for name in sorted(params) for value in params[name])
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(auth_token: str, url: str, params: Mapping[str, list[str]], signature: str) -> bool:
    if not auth_token or not signature:
        return False
    return hmac.compare_digest(twilio_signature(auth_token, url, params), signature)
