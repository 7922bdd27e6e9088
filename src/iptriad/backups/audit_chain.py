"""The audit hash-chain verifier, reached through a guard while it is not yet part of every version.

`iptriad.audit.chain` (verify_chains, and chain_heads when it has one) arrives separately; until then a backup
records no chain heads and a restore says the verification is not available, rather than failing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

NOT_AVAILABLE = "audit chain verification: not available in this version"
CHAIN_MODULE = "iptriad.audit.chain"


@dataclass(frozen=True)
class ChainResult:
    ok: bool
    events_checked: int
    problems: list[str]

    def describe(self) -> str:
        if self.ok:
            return f"audit chain verification: intact ({self.events_checked} events checked)"
        shown = "; ".join(self.problems[:5])
        more = f" and {len(self.problems) - 5} more" if len(self.problems) > 5 else ""
        return f"audit chain verification: BROKEN ({len(self.problems)} problems: {shown}{more})"


def _chain_module() -> ModuleType | None:
    try:
        return importlib.import_module(CHAIN_MODULE)
    except ModuleNotFoundError as error:
        if error.name != CHAIN_MODULE:
            raise  # the module exists but something it needs is missing: a real error
        return None


def chain_verification_available() -> bool:
    return _chain_module() is not None


def verify_audit_chains() -> ChainResult | None:
    """Walk every organisation's chain; None when this version has no chain verifier."""
    module = _chain_module()
    if module is None:
        return None
    report = module.verify_chains(organisation=None)
    return ChainResult(
        ok=bool(report.ok), events_checked=int(report.events_checked), problems=[str(p) for p in report.problems]
    )


def audit_chain_heads() -> Any:
    """The chains' current heads (JSON-ready) when the chain module offers them; None otherwise."""
    module = _chain_module()
    heads = getattr(module, "chain_heads", None) if module is not None else None
    return heads() if callable(heads) else None
