"""The key pages and writes over HTTP, each alone and all together as a clinic's mixed load, with each one's ratio
to the floor measured in the same run (issue 15). One command gives the tables of docs/performance.md:

    PYTHONPATH=src .venv/bin/python bench/pages.py --tier S --database sqlite
    PYTHONPATH=src .venv/bin/python bench/pages.py --tier M --database postgresql
    PYTHONPATH=src .venv/bin/python bench/pages.py --all               # tiers S and M on both databases
    PYTHONPATH=src .venv/bin/python bench/pages.py --tier L --database postgresql   # 1,000,000 clients
    PYTHONPATH=src .venv/bin/python bench/pages.py --tier S --duration 3 --mixed 5   # a quick look

The tier's data is bench/scale_all.py's (var/scale-<tier>/ on SQLite, the database iptriad_scale_<tier> on
PostgreSQL), built first when it is missing (`--build` builds it again). The product is served as deployed
(`iptriad serve`: gunicorn with its default workers and threads) on a free port, and driven by wrk (Debian:
`apt-get install wrk`) with 8 connections over 2 threads, on the same machine.

- The floor is the facilitator's home: a signed-in page through the whole stack (session, membership, MFA check,
  audit) with no client data. It is measured first and last; the ratio is a page's requests/s over their mean.
- Every page is fetched once before it is timed (200, no redirect: not the login page); each is then warmed for
  2 s and timed alone for `--duration` seconds.
- The writes are real: a session recorded through the session form (302 to the new session) on the open courses
  of several therapists in turn, and a PHQ-9 sent on a client's self-report link (one fresh link per post). After
  each run the database is checked: one new session per 302, one completed questionnaire per link answered.
- The mixed load weighs the pages and writes like a clinic's day (`MIX`) for `--mixed` seconds.

Errors are answers other than the one expected (for the mixed load: other than 200 or 302, and any 302 without
its recorded session), an answered write without its row, plus wrk's socket errors and timeouts. (A write still in
flight when wrk stops is made but never counted as answered: that is not an error.) Latencies are wrk's, in
milliseconds, from the request sent to the answer read, over all connections.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.concurrency import free_port, wait_until_serving  # noqa: E402  (the same server start)
from bench.scale_all import TIERS  # noqa: E402

CONNECTIONS = 8
THREADS = 2
WARM_SECONDS = 2
WRITE_THERAPISTS = 20  # therapists whose open courses take the recorded sessions, in turn
LINKS_PER_RUN = 5_000  # self-report links one run may use: more than any run here posts
# A clinic's day, by weight: therapists live in their caseload, course pages and session forms; clients send
# questionnaires from their phones; supervisors look at their dashboard; scripts read the API now and then.
MIX = {
    "therapist's home": 8,
    "client list": 5,
    "client search": 4,
    "client record": 9,
    "course page": 12,
    "record a session (form)": 6,
    "record a session (post)": 5,
    "client's measures": 8,
    "caseload": 6,
    "risk alerts": 3,
    "self-report (post)": 8,
    "supervisor's home": 3,
    "supervision dashboard": 3,
    "outcomes report": 1,
    "facilitator's home (floor)": 4,
    "group roster": 4,
    "API client list": 4,
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""


@dataclass
class Target:
    """A page or a write: the requests it cycles through, who makes them, and the answer each should get."""

    name: str
    who: str
    requests: list[Request]
    expect: int = 200
    write: str = ""  # "session" or "link": checked in the database after a run
    link_ids: list[int] = field(default_factory=list)


@dataclass
class Result:
    name: str
    who: str
    p50: float
    p95: float
    p99: float
    rate: float
    errors: int
    requests: int


# --- the data and the signed-in sessions ----------------------------------------------------------------------


def configure(tier: str, database: str, postgres: str, build: bool) -> None:
    """Point Django at the tier's data, building it with bench/scale_all.py when it is missing or asked for."""
    name = f"iptriad_scale_{tier.lower()}"
    data_dir = ROOT / "var" / f"scale-{tier.lower()}"
    env = {**os.environ, "IPTRIAD_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT / "src")}
    if database == "postgresql":
        import psycopg

        with psycopg.connect(f"{postgres.rstrip('/')}/postgres", autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        os.environ["IPTRIAD_DATABASE_URL"] = f"{postgres.rstrip('/')}/{name}"
    else:
        exists = (data_dir / "iptriad.sqlite3").exists()
        os.environ.pop("IPTRIAD_DATABASE_URL", None)
    if build or not exists:
        print(f"building tier {tier} on {database} with bench/scale_all.py", file=sys.stderr)
        subprocess.run(  # noqa: S603 - this interpreter, our own script
            [sys.executable, str(ROOT / "bench" / "scale_all.py"), "--tier", tier, "--database", database,
             "--postgres", postgres],
            env=env,
            check=True,
        )  # fmt: skip
    os.environ["IPTRIAD_DATA_DIR"] = str(data_dir)
    os.environ["IPTRIAD_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "iptriad.settings"


def signed_in(user: Any) -> str:
    """A session cookie for `user`, past the MFA step as a production session is."""
    from django.conf import settings
    from django.test import Client as HttpClient
    from django_otp import DEVICE_ID_SESSION_KEY  # type: ignore[import-untyped]
    from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

    http = HttpClient()
    http.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "bench"})
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def prepare(tier: str) -> list[Target]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from iptriad.web.statistics import statistics_refresh

    call_command("migrate", verbosity=0)  # as a deployment does before it serves the new code
    statistics_refresh()  # SQLite's planner statistics, as the worker gathers them every night
    targets = targets_for(f"scale-{tier.lower()}")
    connections.close_all()  # the server's workers open their own
    return targets


def targets_for(slug: str, links: int = 3 * LINKS_PER_RUN, therapists: int = WRITE_THERAPISTS) -> list[Target]:
    """The pages and writes to time, on the organisation `slug` of bench/scale_all.py, as its staff sign in."""
    from django.db.models import Count
    from django.utils import timezone

    from iptriad.accounts.actors import Actor
    from iptriad.accounts.models import Organisation, User
    from iptriad.accounts.tokens import token_hash
    from iptriad.api.services import api_token_create
    from iptriad.courses.models import Course
    from iptriad.groups.models import Group
    from iptriad.measures.models import SelfReportLink

    organisation = Organisation.objects.get(slug=slug)
    domain = f"{organisation.slug}.bench.example"
    open_courses = Course.objects.filter(organisation=organisation, closed_on__isnull=True)
    # The first therapist with an open middle-phase course: at tier M the generator gives therapists 0 to 2 (and
    # every fiftieth after them) only clients in group IPT, so therapist3 is the one timed there.
    with_middle = open_courses.filter(phase="middle").values("therapist_id")
    therapist = (
        User.objects.filter(email__startswith="therapist", email__endswith=f"@{domain}", pk__in=with_middle)
        .order_by("pk")
        .first()
    )
    assert therapist is not None, "the tier has no open middle-phase course"
    people = {kind: User.objects.get(email=f"{kind}@{domain}") for kind in ("supervisor", "facilitator0")}
    people["therapist0"] = therapist  # the key names the timed therapist's role in the tables, not the account
    cookies = {kind: signed_in(user) for kind, user in people.items()}
    # The therapist's open middle-phase course with the most sessions: the heaviest course page of their caseload.
    course = (
        open_courses.filter(therapist=therapist, phase="middle")
        .annotate(held=Count("sessions"))
        .order_by("-held", "pk")
        .first()
    )
    assert course is not None
    client_id = course.client_id
    group = Group.objects.filter(organisation=organisation, facilitator=people["facilitator0"]).order_by("pk").first()
    assert group is not None, "the tier has no group for facilitator0"
    _, api_token = api_token_create(actor=Actor.operator(organisation), user=therapist, name="bench/pages.py")

    csrf = secrets.token_hex(16)  # 32 characters: Django takes an unmasked secret equal to the cookie's
    today = timezone.localdate().isoformat()
    session_posts = []
    for number in range(therapists):
        member = User.objects.filter(email=f"therapist{number}@{domain}").first()
        if member is None:
            break
        cookie = f"{signed_in(member)}; csrftoken={csrf}"
        for course_id in open_courses.filter(therapist=member).values_list("pk", flat=True):
            body = (
                f"csrfmiddlewaretoken={csrf}&held_on={today}&attendance=attended"
                "&mood_since_last=Slept+better%2C+argued+less&events_linked=A+calmer+talk+with+her+sister"
                "&homework_review=none_set&risk_check=no_concern&note=Benchmark+session"
            )
            headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
            session_posts.append(Request("POST", f"/courses/{course_id}/sessions/new/", headers, body))

    # Fresh single-use links, as a therapist's "send a link" makes them (only the token's hash is kept).
    tokens = [secrets.token_urlsafe(32) for _ in range(links)]
    contexts = list(open_courses.values_list("client_id", "treatment_context_id", "therapist_id")[:2_000])
    now = timezone.now()
    made = SelfReportLink.objects.bulk_create(
        SelfReportLink(
            organisation=organisation,
            client_id=contexts[place % len(contexts)][0],
            context_id=contexts[place % len(contexts)][1],
            instrument_code="phq9",
            token_hash=token_hash(token),
            created_by_id=contexts[place % len(contexts)][2],
            created_at=now,
            expires_at=now + dt.timedelta(days=7),
        )
        for place, token in enumerate(tokens)
    )
    phq9 = "&".join(f"item_{item}={1 if item < 5 else 0}" for item in range(1, 10))
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    link_posts = [Request("POST", f"/r/{token}/", form, phq9) for token in tokens]

    def get(path: str, who: str) -> list[Request]:
        return [Request("GET", path, {"Cookie": cookies[who]})]

    search = open_courses.filter(therapist=therapist).values_list("client__family_name", flat=True).first()
    targets = [
        Target("facilitator's home (floor)", "facilitator", get("/", "facilitator0")),
        Target("therapist's home", "therapist", get("/", "therapist0")),
        Target("client list", "therapist", get("/clients/", "therapist0")),
        Target("client search", "therapist", get(f"/clients/?q={search}", "therapist0")),
        Target("client record", "therapist", get(f"/clients/{client_id}/", "therapist0")),
        Target("course page", "therapist", get(f"/courses/{course.pk}/", "therapist0")),
        Target("record a session (form)", "therapist", get(f"/courses/{course.pk}/sessions/new/", "therapist0")),
        Target("client's measures", "therapist", get(f"/clients/{client_id}/measures/", "therapist0")),
        Target("caseload", "therapist", get("/caseload/", "therapist0")),
        Target("risk alerts", "therapist", get("/alerts/", "therapist0")),
        Target("supervisor's home", "supervisor", get("/", "supervisor")),
        Target("supervision dashboard", "supervisor", get("/supervision/dashboard/", "supervisor")),
        Target("outcomes report", "supervisor", get("/outcomes/", "supervisor")),
        Target("group roster", "facilitator", get(f"/groups/{group.pk}/", "facilitator0")),
        Target(
            "API client list",
            "therapist (token)",
            [Request("GET", "/api/v1/clients", {"Authorization": f"Bearer {api_token}"})],
        ),
        Target("record a session (post)", "therapist", session_posts, expect=302, write="session"),
        Target(
            "self-report (post)",
            "client",
            link_posts,
            write="link",
            link_ids=[link.pk for link in made],
        ),
    ]
    return targets


# --- wrk ------------------------------------------------------------------------------------------------------


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_script(pools: list[list[Request]], sequence: list[int], single_use: frozenset[int] = frozenset()) -> str:
    """A wrk script: each request is the next of `sequence`'s pools, each thread taking its own entries of a pool (a
    link is posted once); it counts answers by status, and the requests that came round again to an entry of a
    `single_use` pool, and prints the run as one JSON line."""
    lines = ["local pools = {"]
    for pool in pools:
        lines.append("{")
        for request in pool:
            headers = ", ".join(f"[{_lua(name)}] = {_lua(value)}" for name, value in request.headers.items())
            body = _lua(request.body) if request.body else "nil"
            lines.append(f"{{{_lua(request.method)}, {_lua(request.path)}, {{{headers}}}, {body}}},")
        lines.append("},")
    lines.append("}")
    lines.append("local sequence = {" + ", ".join(str(index + 1) for index in sequence) + "}")
    lines.append("local single_use = {" + ", ".join(f"[{index + 1}] = true" for index in sorted(single_use)) + "}")
    lines.append(
        """
local threads = {}
local started = 0
function setup(thread)
  thread:set("thread_index", started)
  started = started + 1
  table.insert(threads, thread)
end
function init(args)
  thread_total = tonumber(args[1])
  built = {}
  next_entry = {}
  for i, pool in ipairs(pools) do
    built[i] = {}
    for j, r in ipairs(pool) do built[i][j] = wrk.format(r[1], r[2], r[3], r[4]) end
    next_entry[i] = thread_index
  end
  step = 0
  statuses = {}
  sent = {}
  wrapped = 0
end
function request()
  step = step + 1
  local pool = sequence[(step - 1) % #sequence + 1]
  local entry = next_entry[pool]
  next_entry[pool] = entry + thread_total
  sent[pool] = (sent[pool] or 0) + 1
  local entries = built[pool]
  if entry >= #entries and single_use[pool] then wrapped = wrapped + 1 end
  return entries[entry % #entries + 1]
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts, posted, wraps = {}, {}, 0
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do counts[s] = (counts[s] or 0) + n end
    for p, n in pairs(t:get("sent")) do posted[p] = (posted[p] or 0) + n end
    wraps = wraps + t:get("wrapped")
  end
  local parts = {}
  for s, n in pairs(counts) do table.insert(parts, string.format('"%d": %d', s, n)) end
  local sent_parts = {}
  for p, n in pairs(posted) do table.insert(sent_parts, string.format('"%d": %d', p - 1, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "socket_errors": %d, "p50": %d, "p95": %d, "p99": %d, '
    .. '"wrapped": %d, "statuses": {%s}, "sent": {%s}}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), wraps,
    table.concat(parts, ", "), table.concat(sent_parts, ", ")))
end
"""
    )
    return "\n".join(lines)


def wrk(
    port: int, pools: list[list[Request]], sequence: list[int], seconds: int, single_use: frozenset[int] = frozenset()
) -> dict[str, Any]:
    executable = shutil.which("wrk")
    assert executable is not None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(pools, sequence, single_use))
    try:
        output = subprocess.run(  # noqa: S603 - wrk, with our own arguments
            [executable, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", script.name,
             f"http://127.0.0.1:{port}", "--", str(THREADS)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    found = re.search(r"^BENCH (\{.*\})$", output, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk said:\n{output}")
    run: dict[str, Any] = json.loads(found.group(1))
    run["statuses"] = {int(status): count for status, count in run["statuses"].items()}
    run["sent"] = {int(pool): count for pool, count in run["sent"].items()}
    return run


# --- checks -----------------------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def check_once(port: int, target: Target) -> None:
    """The target answers as expected before it is timed: a page itself (not the login page), a write's 302."""
    request = target.requests[-1] if target.write else target.requests[0]
    opener = urllib.request.build_opener(_NoRedirect)
    http_request = urllib.request.Request(
        f"http://127.0.0.1:{port}{request.path}",
        data=request.body.encode() or None,
        headers=request.headers,
        method=request.method,
    )
    try:
        with opener.open(http_request, timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != target.expect:
        raise RuntimeError(f"{target.name}: {request.method} {request.path} answered {status}, not {target.expect}")


def written(target: Target) -> int:
    """Rows the target's writes made so far: sessions of the organisation, or links answered."""
    from django.db import connections

    from iptriad.courses.models import CourseSession
    from iptriad.measures.models import SelfReportLink

    if target.write == "session":
        count = CourseSession.objects.count()
    else:
        count = SelfReportLink.objects.filter(pk__in=target.link_ids, used_at__isnull=False).count()
    connections.close_all()
    return count


def result(target: Target, run: dict[str, Any], seconds_expected: int, unmatched: int = 0) -> Result:
    statuses: dict[int, int] = run["statuses"]
    expected = {200, 302} if target.name == "mixed load" else {target.expect}
    errors = sum(count for status, count in statuses.items() if status not in expected)
    errors += run["socket_errors"] + unmatched
    seconds = run["duration_us"] / 1e6 or seconds_expected
    return Result(
        target.name,
        target.who,
        run["p50"] / 1000,
        run["p95"] / 1000,
        run["p99"] / 1000,
        run["requests"] / seconds,
        errors,
        run["requests"],
    )


# --- the run ----------------------------------------------------------------------------------------------------


class LinkSlices:
    """Each run takes self-report links no earlier run posted (a link is single-use)."""

    def __init__(self, target: Target) -> None:
        self.requests = target.requests
        self.ids = target.link_ids
        self.cursor = 0

    def take(self) -> tuple[list[Request], list[int]]:
        start, self.cursor = self.cursor, self.cursor + LINKS_PER_RUN
        if self.cursor > len(self.requests):
            raise RuntimeError("the benchmark ran out of fresh self-report links")
        return self.requests[start : self.cursor], self.ids[start : self.cursor]


def time_alone(port: int, target: Target, seconds: int, links: LinkSlices | None) -> Result:
    pool = target.requests
    check_once(port, target)
    if links is not None:
        pool, _ = links.take()
    single_use = frozenset({0}) if links is not None else frozenset()
    wrk(port, [pool], [0], WARM_SECONDS, single_use)
    if links is not None:
        pool, ids = links.take()
        target = Target(target.name, target.who, pool, target.expect, target.write, ids)
    before = written(target) if target.write else 0
    run = wrk(port, [pool], [0], seconds, single_use)
    unmatched = 0
    if target.write:
        made = written(target) - before
        answered = run["statuses"].get(target.expect, 0)
        # A write still in flight when wrk stops is made but never answered: only an answer without its row is wrong.
        unmatched = max(0, answered - made) + run["wrapped"]
    return result(target, run, seconds, unmatched)


def time_mixed(port: int, targets: list[Target], seconds: int, links: LinkSlices | None) -> tuple[Result, str]:
    by_name = {target.name: target for target in targets}
    pools: list[list[Request]] = []
    weights: list[int] = []
    session_target = None
    single_use: frozenset[int] = frozenset()
    link_ids: list[int] = []
    for name, weight in MIX.items():
        target = by_name[name]
        pool = target.requests
        if target.write == "link" and links is not None:
            pool, link_ids = links.take()
            single_use = frozenset({len(pools)})
        if target.write == "session":
            session_target = target
        pools.append(pool)
        weights.append(weight)
    # The pools interleaved by weight, spread out so that writes never come in a burst.
    sequence = spread(weights)
    sessions_before = written(session_target) if session_target else 0
    link_target = Target("links", "client", [], write="link", link_ids=link_ids)
    links_before = written(link_target)
    run = wrk(port, pools, sequence, seconds, single_use)
    sessions = (written(session_target) if session_target else 0) - sessions_before
    answered_links = written(link_target) - links_before
    # Every 302 of the mixed load is a recorded session's: a 302 without one (a page sending to the login) is an error.
    unmatched = max(0, run["statuses"].get(302, 0) - sessions) + run["wrapped"]
    mixed = result(Target("mixed load", "everyone", []), run, seconds, unmatched)
    share = dict(zip(MIX, (run["sent"].get(index, 0) for index in range(len(pools))), strict=True))
    writes = share["record a session (post)"] + share["self-report (post)"]
    note = (
        f"{run['requests']:,} answers; {sessions:,} sessions recorded and {answered_links:,} questionnaires "
        f"received ({writes:,} writes sent, {100 * writes / max(sum(share.values()), 1):.0f}% of the load)"
    )
    return mixed, note


def spread(weights: list[int]) -> list[int]:
    """The pools' indices, each as often as its weight, evenly spread over one cycle (smooth weighted round robin)."""
    current = [0] * len(weights)
    total = sum(weights)
    order = []
    for _ in range(total):
        for index, weight in enumerate(weights):
            current[index] += weight
        chosen = max(range(len(weights)), key=lambda index: current[index])
        current[chosen] -= total
        order.append(chosen)
    return order


def run_tier(tier: str, database: str, seconds: int, mixed_seconds: int) -> str:
    targets = prepare(tier)
    by_name = {target.name: target for target in targets}
    links = LinkSlices(by_name["self-report (post)"])
    port = free_port()
    log_path = Path(os.environ["IPTRIAD_DATA_DIR"]) / "serve.log"
    load = os.getloadavg()[0]
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 - this interpreter, our own command
            [sys.executable, "-m", "iptriad", "serve", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_serving(port, time.monotonic() + 60)
            floor = by_name["facilitator's home (floor)"]
            results = [time_alone(port, floor, seconds, None)]
            for target in targets[1:]:
                results.append(time_alone(port, target, seconds, links if target.write == "link" else None))
                print(f"  {target.name}: {results[-1].rate:.0f}/s", file=sys.stderr)
            floor_again = time_alone(port, floor, seconds, None)
            mixed, note = time_mixed(port, targets, mixed_seconds, links)
        finally:
            server.terminate()
            server.wait(30)
    workers = os.environ.get("IPTRIAD_WORKERS", "3")
    threads = os.environ.get("IPTRIAD_THREADS", "2")
    floor_rate = (results[0].rate + floor_again.rate) / 2
    lines = [
        f"**Tier {tier} ({TIERS[tier]:,} clients), {'PostgreSQL' if database == 'postgresql' else 'SQLite'}**: "
        f"`iptriad serve` ({workers} workers of {threads} threads), wrk {THREADS} threads {CONNECTIONS} connections, "
        f"{seconds} s a page, load average {load:.1f} at the start. The floor: {results[0].rate:.0f} requests/s "
        f"first, {floor_again.rate:.0f} last.",
        "",
        "| page or write | who | p50 ms | p95 ms | p99 ms | requests/s | errors | ratio to the floor |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results:
        lines.append(
            f"| {row.name} | {row.who} | {row.p50:.1f} | {row.p95:.1f} | {row.p99:.1f} | {row.rate:.0f} | "
            f"{row.errors} | {row.rate / floor_rate:.2f} |"
        )
    lines.append(
        f"| **mixed load** ({mixed_seconds} s) | everyone | {mixed.p50:.1f} | {mixed.p95:.1f} | {mixed.p99:.1f} | "
        f"{mixed.rate:.0f} | {mixed.errors} | {mixed.rate / floor_rate:.2f} |"
    )
    lines += ["", f"Mixed load: {note}.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=("T", "S", "M", "L"), default="S")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--duration", type=int, default=5, help="seconds each page or write is timed alone")
    parser.add_argument("--mixed", type=int, default=20, help="seconds of the mixed load")
    parser.add_argument("--build", action="store_true", help="build the tier's data again first")
    parser.add_argument("--all", action="store_true", help="tiers S and M, on SQLite and on PostgreSQL")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: install it (Debian: apt-get install -y wrk) and run again.", file=sys.stderr)
        return 2
    if options.all:
        for tier in ("S", "M"):
            for database in ("sqlite", "postgresql"):
                command = [sys.executable, __file__, "--tier", tier, "--database", database]
                command += ["--postgres", options.postgres, "--duration", str(options.duration)]
                command += ["--mixed", str(options.mixed)]
                subprocess.run(command + (["--build"] if options.build else []), check=True)  # noqa: S603
        return 0
    if options.tier == "L" and options.database != "postgresql":
        parser.error("tier L runs on PostgreSQL only")
    configure(options.tier, options.database, options.postgres, options.build)
    print(run_tier(options.tier, options.database, options.duration, options.mixed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
