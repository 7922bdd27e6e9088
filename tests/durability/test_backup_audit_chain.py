"""Backups and the audit hash chains: the manifest records the chains' heads, and a restore verifies the chains.

A restore always recomputes every chain of the restored database; a backup of a trail edited behind the
application's back restores the edit faithfully, and the restore then reports the chain broken and fails.
"""

from __future__ import annotations

import json

import pytest

from iptriad.audit.chain import chain_heads
from iptriad.audit.models import AuditAction, AuditChainHead, AuditEvent
from iptriad.backups.manifest import manifest_read
from iptriad.backups.services import backup_create
from tests.audit import tampering
from tests.conftest import Personas
from tests.durability.helpers import fresh_database, last_audit_action, row_counts_of, run_iptriad
from tests.measures.factories import clinical_objects

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads only what is committed


@pytest.fixture
def audited(personas: Personas) -> Personas:
    """Both organisations' people and clinical records, with their audit events in several chains."""
    clinical_objects(personas)
    assert AuditChainHead.objects.filter(chain=personas.org_a.pk).exists()
    return personas


def test_the_manifest_records_the_chain_heads_at_backup_time(audited, tmp_path):
    heads = chain_heads()
    backup = backup_create(output=tmp_path / "heads")
    assert backup.manifest.audit_chain_heads == heads
    assert manifest_read(backup.dump).audit_chain_heads == heads
    recorded = json.loads(backup.manifest_path.read_text())["audit_chain_heads"]
    assert recorded == heads
    head = next(head for head in recorded if head["chain"] == audited.org_a.pk)
    last = AuditEvent.objects.filter(organisation=audited.org_a).order_by("sequence").last()
    assert last is not None
    assert (head["organisation"], head["last_sequence"], head["last_hash"]) == (
        audited.org_a.pk,
        last.sequence,
        last.event_hash,
    )
    # The backup's own event comes after the heads it recorded: it is not in the dump.
    assert chain_heads() != heads
    assert AuditEvent.objects.filter(action=AuditAction.BACKUP_CREATED).count() == 1


def test_a_backup_of_an_edited_trail_restores_with_the_chain_reported_broken(audited, tmp_path):
    edited = AuditEvent.objects.filter(organisation=audited.org_a).order_by("sequence").first()
    assert edited is not None
    tampering.set_detail(edited, '{"edited": "by hand"}')
    backup = backup_create(output=tmp_path / "edited")
    with fresh_database(tmp_path) as database_url:
        restored = run_iptriad(["restore", str(backup.dump)], database_url=database_url, data_dir=tmp_path)
        assert restored.returncode == 1, restored.stdout + restored.stderr
        # The dump itself is whole: the checksum and every row count match; the chain does not.
        assert f"Checksum verified: SHA-256 {backup.manifest.dump_sha256}" in restored.stdout
        assert f"Row counts: all {len(backup.manifest.row_counts)} tables match the manifest" in restored.stdout
        assert "Audit chain: BROKEN, 1 problem in " in restored.stdout
        assert f"alpha: event {edited.pk} (sequence {edited.sequence}): edited: " in restored.stdout
        assert "failed its checks" in restored.stderr
        assert "Restore complete." not in restored.stdout
        # A restore that failed its checks is not recorded as a restore.
        assert last_audit_action(database_url) != AuditAction.BACKUP_RESTORED
        assert row_counts_of(database_url)["audit_auditevent"] == backup.manifest.row_counts["audit_auditevent"]
        verified = run_iptriad(["audit", "verify"], database_url=database_url, data_dir=tmp_path)
        assert verified.returncode == 1, verified.stdout + verified.stderr
