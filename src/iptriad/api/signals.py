"""An erased client's data leaves the kept API answers too (iptriad.datarights erases; it cannot import the API)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from iptriad.accounts.models import IdempotencyKey
from iptriad.clients.models import Client


@receiver(post_delete, sender=Client, dispatch_uid="iptriad_api_kept_answers_of_an_erased_client")
def kept_answers_forgotten(sender: type[Client], instance: Client, **kwargs: Any) -> None:
    """A kept answer is not linked to the records it shows, so every kept answer of the client's organisation
    goes, in the erasure's transaction. Erasures are rare; a retry of another request in those seconds is then
    carried out again rather than replayed."""
    IdempotencyKey.objects.filter(organisation_id=instance.organisation_id).delete()
