"""Benchmark: the cost of encrypting clinical text at rest.

    .venv/bin/python bench/encryption.py                    # SQLite under var/bench-encryption/
    IPTRIAD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/iptriad_bench_encryption \\
        .venv/bin/python bench/encryption.py

1. Encryptions and decryptions per second of one value (AES-256-GCM, iptriad.encryption.cipher), for a short
   and a long note.
2. Server time of the pages of two identical courses, one with every note encrypted and one with the notes stored
   as plaintext (as before encryption: read as they are), requested in turn so that other load on the machine
   affects both alike. The difference is what decryption costs a page. Requests go through Django's whole
   middleware stack in-process (no network, no TLS).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("IPTRIAD_DATA_DIR", str(ROOT / "var" / "bench-encryption"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iptriad.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import TextField, Value  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.scale_data import scale_organisation  # noqa: E402
from iptriad.accounts.models import User  # noqa: E402
from iptriad.clients.models import Client  # noqa: E402
from iptriad.core.protocol import Phase, protocol  # noqa: E402
from iptriad.courses.contexts import COURSE  # noqa: E402
from iptriad.courses.models import Assessment, Course, CourseSession, Triad  # noqa: E402
from iptriad.encryption.cipher import decrypt, encrypt  # noqa: E402
from iptriad.encryption.fields import active_keyring  # noqa: E402
from iptriad.encryption.rotation import encrypted_columns  # noqa: E402
from iptriad.measures.services import occasion_create, treatment_context_create  # noqa: E402

SHORT = "Mood a little better; argued with her sister about their mother's care. " * 2  # ~150 characters
LONG = "Client described the week in detail, the row with her partner and what she said and felt. " * 22  # ~2 kB
SESSIONS = 40
IDENTITY = "courses.coursesession.note"


def per_second(function: object, repeat: int = 5, number: int = 20_000) -> float:
    best = min(timeit.repeat(function, repeat=repeat, number=number))  # type: ignore[arg-type]
    return number / best


def cipher_figures() -> list[tuple[str, float, float]]:
    ring = active_keyring()
    rows = []
    for name, text in (("short note (150 chars)", SHORT), ("long note (2 kB)", LONG)):
        stored = encrypt(text, identity=IDENTITY, keyring=ring)
        encryptions = per_second(lambda text=text: encrypt(text, identity=IDENTITY, keyring=ring))
        decryptions = per_second(lambda stored=stored: decrypt(stored, identity=IDENTITY, keyring=ring))
        rows.append((name, encryptions, decryptions))
    return rows


def make_course(client: Client, therapist: User) -> Course:
    organisation = client.organisation
    Course.objects.filter(client=client).delete()
    opened = dt.date(2026, 1, 5)
    course = Course.objects.create(
        organisation=organisation,
        client=client,
        treatment_context=treatment_context_create(client=client, kind=COURSE),
        therapist=therapist,
        adaptation="standard",
        protocol_version=protocol().version,
        phase=Phase.MIDDLE,
        opened_on=opened,
    )
    Assessment.objects.create(
        organisation=organisation,
        course=course,
        presenting_problems=LONG,
        suicide_risk_notes=SHORT,
        episode_history=LONG,
        medication=SHORT,
    )
    Triad.objects.create(organisation=organisation, course=course, acute_crisis=LONG, social_support=SHORT)
    CourseSession.objects.bulk_create(
        CourseSession(
            organisation=organisation,
            course=course,
            occasion=occasion_create(context=course.treatment_context),
            number=number,
            held_on=opened + dt.timedelta(days=7 * number),
            phase=Phase.MIDDLE,
            mood_since_last=SHORT,
            events_linked=SHORT,
            homework_review_note=SHORT,
            homework_set=SHORT,
            note=LONG,
            recorded_by=therapist,
        )
        for number in range(1, SESSIONS + 1)
    )
    return course


def store_as_plaintext(course: Course) -> None:
    """Write the course's notes back unencrypted, as a database from before encryption holds them."""
    for column in encrypted_columns():
        if column.model is Course:
            rows = Course.objects.filter(pk=course.pk)
        elif any(field.name == "course" for field in column.model._meta.fields):
            rows = column.model._base_manager.filter(course=course)
        else:
            continue  # risk alerts: the bench course has none
        for pk, plaintext in rows.values_list("pk", column.field.attname):
            column.model._base_manager.filter(pk=pk).update(
                **{column.field.attname: Value(plaintext, output_field=TextField())}
            )


def time_pair(http: HttpClient, urls: tuple[str, str], repeat: int) -> list[tuple[float, float]]:
    """p50 and p95 of each URL, requested alternately."""
    timings: tuple[list[float], list[float]] = ([], [])
    for url in urls:
        assert http.get(url).status_code == 200, url  # warm up
    for _ in range(repeat):
        for url, kept in zip(urls, timings, strict=True):
            started = time.perf_counter()
            response = http.get(url)
            kept.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    return [(statistics.median(kept), sorted(kept)[int(0.95 * (len(kept) - 1))]) for kept in timings]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver"]

    print("| value | encryptions/s | decryptions/s |\n|---|---:|---:|")
    for name, encryptions, decryptions in cipher_figures():
        print(f"| {name} | {encryptions:,.0f} | {decryptions:,.0f} |")

    call_command("migrate", verbosity=0)
    organisation = scale_organisation("encbench", 5, password="bench-password-not-secret")
    therapist = User.objects.get(email="therapist0@encbench.bench.example")
    clients = list(Client.objects.filter(organisation=organisation).order_by("pk")[:2])
    encrypted, plain = (make_course(client, therapist) for client in clients)
    store_as_plaintext(plain)
    http = HttpClient()
    http.force_login(therapist)

    def pages(course: Course) -> dict[str, str]:
        session = CourseSession.objects.filter(course=course).order_by("-number").values_list("pk", flat=True)[0]
        return {
            "course page": reverse("course-detail", args=[course.pk]),
            "assessment page": reverse("course-initial-assessment", args=[course.pk]),
            "session page": reverse("course-session-detail", args=[session]),
        }

    print(f"\n{connection.vendor}: a course of {SESSIONS} sessions (2 kB notes), {args.repeat} requests per page\n")
    print("| page | encrypted p50 ms | plaintext p50 ms | encrypted p95 ms | plaintext p95 ms |")
    print("|---|---:|---:|---:|---:|")
    for name, encrypted_url in pages(encrypted).items():
        (enc_p50, enc_p95), (plain_p50, plain_p95) = time_pair(http, (encrypted_url, pages(plain)[name]), args.repeat)
        print(f"| {name} | {enc_p50:.1f} | {plain_p50:.1f} | {enc_p95:.1f} | {plain_p95:.1f} |")


if __name__ == "__main__":
    main()
