"""The audit chain verifier is reached through a guard until iptriad.audit.chain is merged.

With a stand-in module the backup records the chain heads and a broken chain fails the restore's checks;
without one, both say the verification is not available.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from pathlib import Path
from types import SimpleNamespace

import pytest

from iptriad.backups.audit_chain import CHAIN_MODULE, NOT_AVAILABLE, audit_chain_heads, verify_audit_chains
from iptriad.backups.manifest import manifest_read
from iptriad.backups.services import RestoreReport, backup_create


@pytest.fixture
def chain_module(monkeypatch):
    module = types.ModuleType(CHAIN_MODULE)
    module.verify_chains = lambda organisation=None: SimpleNamespace(  # type: ignore[attr-defined]
        ok=False, events_checked=12, problems=["organisation 1, event 7: hash does not follow event 6"]
    )
    module.chain_heads = lambda: {"1": {"event": 12, "hash": "ab" * 32}}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, CHAIN_MODULE, module)
    return module


def test_without_the_verifier_it_is_not_available():
    if importlib.util.find_spec(CHAIN_MODULE) is not None:
        pytest.skip("this version has the chain verifier")
    assert verify_audit_chains() is None
    assert audit_chain_heads() is None
    assert NOT_AVAILABLE == "audit chain verification: not available in this version"


def test_a_broken_chain_is_reported_and_fails_the_restore_checks(chain_module):
    result = verify_audit_chains()
    assert result is not None
    assert (result.ok, result.events_checked) == (False, 12)
    assert "BROKEN" in result.describe()
    assert "event 7: hash does not follow event 6" in result.describe()
    manifest = SimpleNamespace()
    assert not RestoreReport(dump=Path("x"), manifest=manifest, chain=result).ok  # type: ignore[arg-type]
    assert RestoreReport(dump=Path("x"), manifest=manifest, chain=None).ok  # type: ignore[arg-type]


@pytest.mark.django_db(transaction=True)
def test_the_backup_records_the_chain_heads(chain_module, personas, tmp_path):
    backup = backup_create(output=tmp_path / "with-heads")
    assert manifest_read(backup.dump).audit_chain_heads == {"1": {"event": 12, "hash": "ab" * 32}}
    assert json.loads(backup.manifest_path.read_text())["audit_chain_heads"]["1"]["event"] == 12
