"""Backups of the whole database with a checksummed manifest, and their verified restore (docs/operators/backups.md)."""
