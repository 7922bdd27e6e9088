"""What a client's record tells the apps above it: they react without `clients` importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the archiving transaction with `actor` and `client`: a receiver that fails undoes the archiving.
client_archived = Signal()
