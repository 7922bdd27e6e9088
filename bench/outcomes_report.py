"""Benchmark: the outcome report at tier L (1,000,000 clients) on PostgreSQL, and the de-identified rows CSV streamed
for 10,000 and 100,000 contexts with its peak memory.

    PYTHONPATH=src .venv/bin/python bench/outcomes_report.py                 # builds iptriad_bench_l once, measures
    PYTHONPATH=src .venv/bin/python bench/outcomes_report.py --rebuild --postgres postgresql://postgres@127.0.0.1:5432

Tier L: 1,000,000 clients of one organisation (40 therapists; 20 facilitators running 200 groups at 10 sites), one
treatment context each (80% IPT courses, 20% group places) and its outcome row: seeded, plausible distributions of
every breakdown, of attendance and of first and last PHQ-9 (GAD-7 on half the courses), 85% ended over two years.
The rows are classified by SQL that follows iptriad.core.metrics closely enough for timing (the report counts stored
booleans; it never classifies), so the build takes minutes, not hours: every bulk row is made by the database itself
(INSERT ... SELECT over generate_series, the clients copied from one made by the ORM so their encrypted fields are
real). The database `iptriad_bench_l` is kept between runs. Prints Markdown tables for docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "iptriad_bench_l"
CLIENTS = 1_000_000
SLUG = "bench-l"
PASSWORD = "bench-password-not-secret"  # noqa: S105 (synthetic accounts on a local benchmark database)
FACILITATORS = 20
GROUPS = 200
SITES = 10
RUNS = 5


def configure(postgres: str, rebuild: bool) -> None:
    import psycopg

    with psycopg.connect(f"{postgres.rstrip('/')}/postgres", autocommit=True) as admin:
        if rebuild:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ["IPTRIAD_DATABASE_URL"] = f"{postgres.rstrip('/')}/{DATABASE}"
    os.environ.setdefault("IPTRIAD_DATA_DIR", str(ROOT / "var" / "bench-l"))
    os.environ["IPTRIAD_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "iptriad.settings"


def _groups(organisation, therapists):  # type: ignore[no-untyped-def]
    import datetime as dt

    from iptriad.accounts.models import Membership, Role, User
    from iptriad.groups.models import Group, GroupStatus, ProgrammeSite

    sites = [ProgrammeSite.objects.create(organisation=organisation, name=f"Bench site {n}") for n in range(SITES)]
    facilitators = []
    for number in range(FACILITATORS):
        email = f"facilitator{number}@{SLUG}.bench.example"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=PASSWORD, full_name=f"Bench Facilitator {number}"
        )
        Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Role.FACILITATOR})
        facilitators.append(user)
    Group.objects.bulk_create(
        Group(
            organisation=organisation,
            site=sites[number % SITES],
            name=f"Bench group {number}",
            facilitator=facilitators[number % FACILITATORS],
            supervisor=therapists[number % len(therapists)],
            capacity=12,
            format_code="who_8",
            format_name="WHO Group IPT: 8 sessions",
            sessions_planned=8,
            initial_sessions=1,
            termination_sessions=1,
            screening_instrument="phq9",
            check_instrument="phq9",
            completed_at_least=6,
            starts_on=dt.date(2025, 1, 6) + dt.timedelta(days=3 * number),
            status=GroupStatus.CLOSED,
        )
        for number in range(GROUPS)
    )


# Every outcome row from its context, by the database: seeded random draws (setseed), each breakdown's values with
# unequal weights, attendance, scores; the classification from them (PHQ-9 and, where given, GAD-7).
OUTCOME_ROWS_SQL = """
WITH draw AS (
    SELECT c.id AS context_id, c.client_id, c.kind, c.organisation_id,
           random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
           random() AS r7, random() AS r8
    FROM measures_treatmentcontext c WHERE c.organisation_id = %(org)s
), facts AS (
    SELECT d.*,
        DATE '2024-12-01' + (d.r1 * 700)::int AS started_on,
        CASE WHEN d.r2 < 0.15 THEN 0 WHEN d.r2 < 0.25 THEN 1 ELSE 2 + (d.r3 * 14)::int END AS attended,
        (d.r4 * 4)::int AS missed,
        5 + (d.r5 * 22)::int AS phq9_first,
        CASE WHEN d.kind = 'course' AND d.r6 < 0.5 THEN 3 + (d.r6 * 36)::int END AS gad7_first
    FROM draw d
), ended AS (
    SELECT f.*,
        CASE WHEN f.r7 < 0.85 THEN LEAST(f.started_on + 21 + (f.r8 * 140)::int, DATE '2026-11-26') END AS ended_on,
        GREATEST(0, LEAST(27, f.phq9_first - (f.r3 * 16)::int + (f.r4 * 6)::int)) AS phq9_last,
        CASE WHEN f.gad7_first IS NOT NULL THEN GREATEST(0, LEAST(21, f.gad7_first - (f.r3 * 12)::int + 2)) END
            AS gad7_last,
        f.attended >= 2 AS paired
    FROM facts f
), classified AS (
    SELECT e.*,
        e.ended_on IS NOT NULL AND e.attended >= 2 AS finished,
        (e.phq9_first >= 10 OR COALESCE(e.gad7_first >= 8, false)) AS case_start,
        (e.phq9_last < 10 AND COALESCE(e.gad7_last < 8, true)) AS below_end,
        (e.phq9_first - e.phq9_last >= 6 OR COALESCE(e.gad7_first - e.gad7_last >= 4, false)) AS improved,
        (e.phq9_last - e.phq9_first >= 6 OR COALESCE(e.gad7_last - e.gad7_first >= 4, false)) AS worse
    FROM ended e
)
INSERT INTO outcomes_contextoutcome (
    organisation_id, treatment_context_id, client_id, kind, therapist_id, facilitator_id, group_id, site_id,
    problem_area, adaptation, sex, age_band, language, started_on, ended_on, attended_sessions, missed_sessions,
    phq9_first, phq9_last, gad7_first, gad7_last, reached, completed, finished, at_caseness, not_at_caseness,
    recovered, reliable_improvement, reliable_deterioration, reliable_recovery, paired, missing_end_score,
    phq9_end_at_most_4, phq9_end_under_10, metrics_version, computed_at)
SELECT k.organisation_id, k.context_id, k.client_id, k.kind,
    CASE WHEN k.kind = 'course' THEN (%(therapists)s)[1 + (k.client_id %% 40)] END,
    CASE WHEN k.kind = 'group' THEN g.facilitator_id END,
    CASE WHEN k.kind = 'group' THEN g.id END,
    CASE WHEN k.kind = 'group' THEN g.site_id END,
    (ARRAY['grief', 'role_dispute', 'role_dispute', 'role_transition', 'role_transition', 'interpersonal_deficits',
           ''])[1 + floor(k.r5 * 7)::int],
    CASE WHEN k.kind = 'group' THEN 'group'
         ELSE (ARRAY['standard', 'standard', 'standard', 'standard', 'ipt_a', 'perinatal', 'telephone', 'ipt_est'])
              [1 + floor(k.r6 * 8)::int] END,
    (ARRAY['female', 'female', 'female', 'male', 'male', 'intersex', 'not_recorded'])[1 + floor(k.r8 * 7)::int],
    (ARRAY['under 18', '18-24', '25-34', '25-34', '35-44', '35-44', '45-54', '55-64', '65 and over'])
        [1 + floor(k.r4 * 9)::int],
    (ARRAY['en', 'en', 'en', 'en', 'es', 'fr', 'ar', 'pt', 'sw', 'lg'])[1 + floor(k.r2 * 10)::int],
    k.started_on, k.ended_on, k.attended, k.missed, k.phq9_first,
    CASE WHEN k.paired THEN k.phq9_last ELSE k.phq9_first END,
    k.gad7_first, CASE WHEN k.paired THEN k.gad7_last ELSE k.gad7_first END,
    k.attended >= 1,
    k.ended_on IS NOT NULL AND k.attended >= CASE WHEN k.kind = 'group' THEN 6 ELSE 2 END,
    k.finished,
    k.finished AND k.case_start,
    k.finished AND NOT k.case_start,
    k.finished AND k.paired AND k.case_start AND k.below_end,
    k.finished AND k.paired AND k.improved AND NOT k.worse,
    k.finished AND k.paired AND k.worse,
    k.finished AND k.paired AND k.case_start AND k.below_end AND k.improved AND NOT k.worse,
    k.finished AND k.paired,
    k.finished AND NOT k.paired,
    CASE WHEN k.paired THEN k.phq9_last ELSE k.phq9_first END <= 4,
    CASE WHEN k.paired THEN k.phq9_last ELSE k.phq9_first END < 10,
    %(version)s, now()
FROM classified k
LEFT JOIN groups_group g ON g.organisation_id = k.organisation_id AND g.name = 'Bench group ' || (k.client_id %% 200)
"""


def build() -> None:
    """Tier L: the clients, their contexts and outcome rows, once (skipped when the rows are there)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.scale_data import scale_organisation
    from iptriad.accounts.models import Membership, Role
    from iptriad.core.metrics import METRICS_VERSION
    from iptriad.outcomes.models import ContextOutcome

    call_command("migrate", verbosity=0)
    organisation = scale_organisation(SLUG, 1, password=PASSWORD)  # the therapists, and the client copied below
    if ContextOutcome.objects.filter(organisation=organisation).count() >= CLIENTS:
        return
    started = time.perf_counter()
    therapists = [
        membership.user
        for membership in Membership.objects.filter(organisation=organisation, role=Role.THERAPIST)
        .select_related("user")
        .order_by("user_id")
    ]
    _groups(organisation, therapists)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.14)")
        columns = [
            "given_name", "family_name", "gender", "phone", "email", "consent_to_treatment",
            "consent_to_treatment_on", "consent_to_data_use", "consent_to_data_use_on", "message_channel",
            "consent_to_messages", "search_text", "status", "created_at", "updated_at",
        ]  # fmt: skip
        copied = ", ".join(f"t.{column}" for column in columns)
        cursor.execute(
            f"""INSERT INTO clients_client (organisation_id, identifier, date_of_birth, sex, preferred_language,
                    therapist_id, {", ".join(columns)})
                SELECT t.organisation_id, 'L-' || lpad(g::text, 7, '0'),
                    DATE '1940-01-01' + (random() * 26000)::int,
                    (ARRAY['female', 'female', 'male', 'not_recorded'])[1 + floor(random() * 4)::int],
                    (ARRAY['en', 'en', 'es', 'fr', 'sw'])[1 + floor(random() * 5)::int],
                    t.therapist_id, {copied}
                FROM generate_series(1, %s) g, (SELECT * FROM clients_client WHERE organisation_id = %s LIMIT 1) t""",  # noqa: S608 (column names are ours)
            [CLIENTS - 1, organisation.pk],
        )
        cursor.execute(
            """INSERT INTO measures_treatmentcontext (organisation_id, client_id, kind, created_at)
               SELECT organisation_id, id, CASE WHEN random() < 0.8 THEN 'course' ELSE 'group' END, now()
               FROM clients_client WHERE organisation_id = %s""",
            [organisation.pk],
        )
        cursor.execute(
            OUTCOME_ROWS_SQL,
            {"org": organisation.pk, "therapists": [user.pk for user in therapists], "version": METRICS_VERSION},
        )
        for table in ("clients_client", "measures_treatmentcontext", "outcomes_contextoutcome"):
            cursor.execute(f"ANALYZE {table}")
    print(f"tier L built in {time.perf_counter() - started:.0f}s")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure() -> None:
    import datetime as dt

    from django.db import connection

    from iptriad.accounts.models import Organisation
    from iptriad.outcomes.exports import rows_csv
    from iptriad.outcomes.models import ContextOutcome
    from iptriad.outcomes.report import BREAKDOWNS, cohort, outcome_report

    organisation = Organisation.objects.get(slug=SLUG)
    total = ContextOutcome.objects.filter(organisation=organisation).count()
    ended = ContextOutcome.objects.filter(organisation=organisation, ended_on__isnull=False).count()
    print(f"{total:,} outcome rows, {ended:,} ended; load average {os.getloadavg()[0]:.1f}\n")
    print("| report | rows counted | breakdown values | median s | min s | max s |")
    print("|---|---:|---:|---:|---:|---:|")
    for by in (None, *BREAKDOWNS):
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            report = outcome_report([organisation], by=by)
            times.append(time.perf_counter() - started)
        print(
            f"| {by or 'overall'} | {report.overall.contexts:,} | {len(report.rows)} | {statistics.median(times):.2f} "
            f"| {min(times):.2f} | {max(times):.2f} |"
        )
    with connection.cursor() as cursor:
        sql, params = cohort([organisation.pk], start=None, end=None).query.sql_with_params()
        cursor.execute(f"EXPLAIN SELECT count(*) FROM ({sql}) AS rows", params)  # noqa: S608 (Django's own SQL)
        print("\nEXPLAIN (cohort count):\n" + "\n".join("    " + row[0] for row in cursor.fetchall()))
    print(f"\nload average {os.getloadavg()[0]:.1f}\n")
    print("| rows CSV | lines | seconds | tracemalloc peak MB | RSS before MB | RSS peak during MB |")
    print("|---|---:|---:|---:|---:|---:|")
    # Two periods of the same data, about 10,000 and 100,000 ended contexts.
    for label, start, end in (
        ("about 10,000 contexts", dt.date(2026, 1, 1), dt.date(2026, 1, 8)),
        ("about 100,000 contexts", dt.date(2026, 1, 1), dt.date(2026, 3, 12)),
    ):
        before = _rss_mb()
        peak_rss = before
        tracemalloc.start()
        started = time.perf_counter()
        lines = 0
        for _line in rows_csv([organisation], start=start, end=end):
            lines += 1
            if lines % 5000 == 0:
                peak_rss = max(peak_rss, _rss_mb())
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"| {label} ({start} to {end}) | {lines - 1:,} | {seconds:.1f} | {peak / 1e6:.1f} | {before:.0f} "
            f"| {max(peak_rss, _rss_mb()):.0f} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--rebuild", action="store_true")
    arguments = parser.parse_args()
    configure(arguments.postgres, arguments.rebuild)
    build()
    measure()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
