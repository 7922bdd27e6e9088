"""The query planner's statistics on SQLite.

PostgreSQL's autovacuum keeps its statistics; SQLite keeps none until ANALYZE runs, and without them it can pick
the organisation's index over a client's and read every row of the organisation (docs/performance.md). The nightly
task runs ANALYZE on a sample of each index (`analysis_limit`), a few seconds at 100,000 clients.
"""

from __future__ import annotations

from django.db import connection

# Rows sampled per index: enough for the planner to tell a selective index from a broad one.
ANALYSIS_LIMIT = 1000


def statistics_refresh() -> bool:
    """Gather SQLite's planner statistics; True if it did (nothing to do on PostgreSQL)."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True
