from __future__ import annotations


class TransportError(Exception):
    """A send that did not go. `reason` is shown in the message log: an error's kind or a status, no content.

    `permanent`: trying again cannot help (no SMS configured, an address the provider refuses).
    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:200]
        self.permanent = permanent
