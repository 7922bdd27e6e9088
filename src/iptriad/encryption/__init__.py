"""Free-text clinical content encrypted at rest, and `iptriad rotate-keys` (docs/decisions/0017)."""
