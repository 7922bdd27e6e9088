from typing import Any

from django.db import migrations

from iptriad.audit.chain import GENESIS_HASH, canonical_payload, chain_hash

BATCH = 2000


def seal_existing_events(apps: Any, schema_editor: Any) -> None:
    """Chain the events written before the trail was chained, per organisation, oldest first."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    organisation_ids = AuditEvent.objects.order_by().values_list("organisation_id", flat=True).distinct()
    for organisation_id in list(organisation_ids):
        sequence, last_hash = 0, GENESIS_HASH
        batch = []
        events = AuditEvent.objects.filter(organisation_id=organisation_id).order_by("created_at", "pk")
        for event in events.iterator(chunk_size=BATCH):
            sequence += 1
            event.sequence = sequence
            event.previous_hash = last_hash
            event.event_hash = chain_hash(
                last_hash,
                canonical_payload(
                    organisation_id=event.organisation_id,
                    actor_id=event.actor_id,
                    action=event.action,
                    object_type=event.object_type,
                    object_id=event.object_id,
                    detail=event.detail,
                    ip_address=event.ip_address,
                    created_at=event.created_at,
                    sequence=sequence,
                ),
            )
            last_hash = event.event_hash
            batch.append(event)
            if len(batch) >= BATCH:
                AuditEvent.objects.bulk_update(batch, ["sequence", "previous_hash", "event_hash"])
                batch = []
        AuditEvent.objects.bulk_update(batch, ["sequence", "previous_hash", "event_hash"])
        AuditChainHead.objects.create(
            chain=organisation_id or 0, organisation_id=organisation_id, last_sequence=sequence, last_hash=last_hash
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_fields")]

    operations = [migrations.RunPython(seal_existing_events, migrations.RunPython.noop)]
