from __future__ import annotations

from collections.abc import Callable

# Called by a transport just before the one step it cannot take back (SMTP's DATA, the SMS gateway's POST): the
# sender records, committed, that the message is being handed over. Everything before it (connecting, logging
# in, MAIL FROM, RCPT TO) cannot make the message arrive, so a worker dying there may safely send it again.
HandOver = Callable[[], None]


class TransportError(Exception):
    """A send that did not go. `reason` is shown in the message log: an error's kind or a status, no content.

    `permanent`: trying again cannot help (no SMS configured, an address the provider refuses).
    `outcome_unknown`: the connection broke after the hand-over with no answer from the server, so the message
    may have arrived (a client's is then not sent again).
    """

    def __init__(self, reason: str, *, permanent: bool = False, outcome_unknown: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:200]
        self.permanent = permanent
        self.outcome_unknown = outcome_unknown


class HandOverRefused(Exception):  # noqa: N818 - not an error of the transport: the claim is no longer ours
    """Raised by the hand-over callback when the claim is no longer this worker's (the sweep resolved it as
    abandoned): the transport stops before the irreversible step, and the message is left to its new owner."""
