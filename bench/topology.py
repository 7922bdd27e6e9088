# ruff: noqa: S603, S607, S608 - it runs our own commands and fixed SQL, never input
"""The scaled-out topology on one machine: PostgreSQL with a streaming replica, Redis, app servers, workers, HAProxy.

    .venv/bin/python bench/topology.py up [--apps 2] [--workers 2]
    .venv/bin/python bench/topology.py status
    .venv/bin/python bench/topology.py down [--wipe]

Everything lives under var/topology/ (the databases, logs, pid files, the generated secrets) and uses Debian's
packages: PostgreSQL 15 (initdb from /usr/lib/postgresql/15/bin, run as the postgres user when this runs as root),
redis-server, haproxy (installed with apt-get if missing). `up` starts

- a PostgreSQL primary on port 55432 and a streaming replica of it (pg_basebackup -R) on 55433,
- Redis on 56379: the task broker (db 0) and Django's cache (db 1),
- the app servers (`iptriad serve --no-worker`) on 58001, 58002, ... and the task workers (`iptriad worker`), all
  with the same secret key, encryption keys and URLs (IPTRIAD_WORKER=external),
- HAProxy on 58000 in front of the app servers, checking /health/ every second and taking a dead server out,

migrates and loads the demo data once, and prints the URL and the logins. It is for trying the topology and for
the kill run (bench/topology_kill.py), not for production: the app servers run in development mode (plain HTTP,
the demo's published password); docs/operators/scaling.md says what production adds.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "var" / "topology"
RUN = HOME / "run"  # pid files
LOGS = HOME / "logs"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PRIMARY_PORT, REPLICA_PORT, REDIS_PORT, BALANCER_PORT, FIRST_APP_PORT = 55432, 55433, 56379, 58000, 58001
DATABASE = "iptriad"
SOCKETS = HOME / "pg-sockets"  # both servers' Unix sockets, outside their data directories
STATE = HOME / "topology.json"  # how many app servers and workers `up` started, for `down` and the kill run


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its tools as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, check=True, text=True, **kwargs)  # type: ignore[call-overload, no-any-return]


def database_url(port: int) -> str:
    return f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}"


def app_ports(count: int) -> list[int]:
    return [FIRST_APP_PORT + number for number in range(count)]


# --- PostgreSQL -------------------------------------------------------------------------------------------------


def owned_by_postgres(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    path.chmod(0o700)


def psql(port: int, sql: str, database: str = "postgres") -> str:
    command = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database]
    return run([*as_postgres(command), "-Atc", sql], capture_output=True).stdout.strip()


def pg_start(data: Path, port: int) -> None:
    if (data / "postmaster.pid").exists() and pg_ready(port):
        return
    log = LOGS / f"postgres-{port}.log"
    if os.geteuid() == 0:
        log.touch()
        shutil.chown(log, "postgres", "postgres")
    run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", f"-p {port}", "-w", "start"]))


def pg_ready(port: int) -> bool:
    return subprocess.run([str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode == 0


def primary_up() -> None:
    data = HOME / "pg-primary"
    owned_by_postgres(SOCKETS)
    if not (data / "PG_VERSION").exists():
        owned_by_postgres(data)
        run(as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]))
        # initdb's pg_hba.conf already trusts replication connections from 127.0.0.1 ("--auth=trust").
        settings = (
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{SOCKETS}'\n"
            "wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\nwal_keep_size = '256MB'\n"
            "shared_buffers = '128MB'\nmax_connections = 100\n"
        )
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(settings)
    pg_start(data, PRIMARY_PORT)
    if psql(PRIMARY_PORT, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'") != "1":
        psql(PRIMARY_PORT, f"CREATE DATABASE {DATABASE}")


def replica_up() -> None:
    data = HOME / "pg-replica"
    if not (data / "PG_VERSION").exists():
        owned_by_postgres(data)
        # -R writes standby.signal and the primary_conninfo: the copy starts as a streaming replica.
        basebackup = [str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres"]
        run(as_postgres([*basebackup, "-D", str(data), "-R", "-X", "stream", "--checkpoint=fast"]))
    pg_start(data, REPLICA_PORT)


def replication_state() -> str:
    return psql(PRIMARY_PORT, "SELECT application_name || ' ' || state || ' ' || sync_state FROM pg_stat_replication")


# --- Redis, app servers, workers, HAProxy -------------------------------------------------------------------------


def pid_of(name: str) -> int | None:
    try:
        pid = int((RUN / f"{name}.pid").read_text())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid


def spawn(name: str, command: list[str], env: dict[str, str] | None = None) -> int:
    """Start a long-running process in its own session (so a kill of its group takes its children too)."""
    if (pid := pid_of(name)) is not None:
        return pid
    with (LOGS / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True
        )
    (RUN / f"{name}.pid").write_text(str(process.pid))
    return process.pid


def redis_up() -> None:
    folder = HOME / "redis"
    folder.mkdir(exist_ok=True)
    # The broker's queue survives a Redis restart: an append-only file, written every second.
    spawn(
        "redis",
        [
            *("redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--dir", str(folder), "--save", ""),
            *("--appendonly", "yes", "--appendfsync", "everysec"),
        ],
    )
    wait_for(lambda: subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).returncode == 0)


def secrets_file() -> dict[str, str]:
    """The secret key and encryption keys every app server and worker shares, generated once (mode 0600)."""
    path = HOME / "secrets.json"
    if not path.exists():
        entry = run(
            [sys.executable, "-c", "from iptriad.encryption.keys import new_key_entry; print(new_key_entry())"],
            capture_output=True,
            env=python_env(),
        ).stdout.strip()
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            json.dump({"IPTRIAD_SECRET_KEY": secrets.token_urlsafe(64), "IPTRIAD_ENCRYPTION_KEYS": entry}, handle)
    loaded: dict[str, str] = json.loads(path.read_text())
    return loaded


def python_env() -> dict[str, str]:
    """This checkout's code first (a worktree's src, not another checkout the virtualenv may point at)."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
    }


def app_env() -> dict[str, str]:
    return {
        **python_env(),
        **secrets_file(),
        "IPTRIAD_DATA_DIR": str(HOME / "app"),
        "IPTRIAD_DATABASE_URL": database_url(PRIMARY_PORT),
        "IPTRIAD_DATABASE_REPLICA_URL": database_url(REPLICA_PORT),
        "IPTRIAD_CACHE_URL": f"redis://127.0.0.1:{REDIS_PORT}/1",
        "IPTRIAD_TASK_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "IPTRIAD_WORKER": "external",
        "IPTRIAD_BEHIND_PROXY": "true",  # the audit trail records the address HAProxy forwards
        "IPTRIAD_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "IPTRIAD_SITE_URL": f"http://127.0.0.1:{BALANCER_PORT}",
        "IPTRIAD_LOG_LEVEL": "WARNING",
    }


def iptriad(*arguments: str, capture: bool = False) -> str:
    result = run([sys.executable, "-m", "iptriad", *arguments], env=app_env(), capture_output=capture)
    return result.stdout or ""


def answers_health(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/health/", headers={"Host": "127.0.0.1"})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def wait_for(ready: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not ready():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for a service to start: see var/topology/logs/")
        time.sleep(0.2)


def app_servers_up(count: int, workers_per_server: int, threads: int) -> None:
    for number, port in enumerate(app_ports(count), start=1):
        arguments = ["--host", "127.0.0.1", "--port", str(port), "--no-worker"]
        arguments += ["--workers", str(workers_per_server), "--threads", str(threads)]
        spawn(f"app{number}", [sys.executable, "-m", "iptriad", "serve", *arguments], env=app_env())
    for port in app_ports(count):
        wait_for(lambda port=port: answers_health(port))  # type: ignore[misc]


def workers_up(count: int) -> None:
    for number in range(1, count + 1):
        spawn(f"worker{number}", [sys.executable, "-m", "iptriad", "worker"], env=app_env())


def haproxy_config(count: int) -> str:
    servers = "\n".join(
        f"    server app{number} 127.0.0.1:{port} check" for number, port in enumerate(app_ports(count), start=1)
    )
    return f"""# Written by bench/topology.py.
global
    maxconn 1024
    stats socket {RUN / "haproxy.sock"} mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A connection a dead server refuses is tried again on another server; so is a read whose server closed the
    # connection without an answer (a reused connection to a server just killed). A write a server has received
    # is never replayed: it may have committed.
    retries 3
    retry-on conn-failure empty-response
    option redispatch
    option forwardfor

frontend web
    bind 127.0.0.1:{BALANCER_PORT}
    http-request disable-l7-retry unless METH_GET || METH_HEAD
    default_backend apps

backend apps
    balance roundrobin
    option httpchk
    http-check send meth GET uri /health/ hdr Host 127.0.0.1
    http-check expect status 200
    # Checked every second; two failures take a server out, two successes put it back.
    default-server inter 1s fall 2 rise 2
{servers}
"""


def haproxy_up(count: int) -> None:
    if shutil.which("haproxy") is None:
        print("Installing Debian's haproxy")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        run([*sudo, "apt-get", "update", "-qq"])
        run(
            [*sudo, "apt-get", "install", "-y", "-qq", "haproxy"],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    config = HOME / "haproxy.cfg"
    config.write_text(haproxy_config(count))
    run(["haproxy", "-c", "-q", "-f", str(config)])
    spawn("haproxy", ["haproxy", "-W", "-db", "-f", str(config)])
    wait_for(lambda: answers_health(BALANCER_PORT))


# --- The commands ---------------------------------------------------------------------------------------------------


def up(options: argparse.Namespace) -> None:
    for folder in (HOME, RUN, LOGS):
        folder.mkdir(parents=True, exist_ok=True)
    primary_up()
    replica_up()
    redis_up()
    iptriad("migrate", "--verbosity", "0")
    logins = ""
    if not (HOME / "demo-loaded").exists():
        logins = iptriad("demo", capture=True)
        (HOME / "demo-loaded").write_text(logins)
    else:
        logins = (HOME / "demo-loaded").read_text()
    app_servers_up(options.apps, options.processes, options.threads)
    workers_up(options.workers)
    haproxy_up(options.apps)
    STATE.write_text(json.dumps({"apps": options.apps, "workers": options.workers}))
    wait_for(lambda: "streaming" in replication_state(), seconds=30)
    print(f"Replication: {replication_state()}")
    print(f"App servers: {', '.join(f'127.0.0.1:{port}' for port in app_ports(options.apps))}")
    print(f"Workers: {options.workers}; Redis 127.0.0.1:{REDIS_PORT}; logs in var/topology/logs/")
    print(f"Open http://127.0.0.1:{BALANCER_PORT}/ (HAProxy)")
    print(logins.strip())


def status(options: argparse.Namespace) -> None:
    state = json.loads(STATE.read_text()) if STATE.exists() else {"apps": 0, "workers": 0}
    print(f"primary {PRIMARY_PORT}: {'up' if pg_ready(PRIMARY_PORT) else 'down'}")
    print(f"replica {REPLICA_PORT}: {'up' if pg_ready(REPLICA_PORT) else 'down'}")
    if pg_ready(PRIMARY_PORT):
        print(f"pg_stat_replication: {replication_state() or 'none'}")
    for number, port in enumerate(app_ports(state["apps"]), start=1):
        print(f"app{number} {port}: {'answers /health/' if answers_health(port) else 'down'}")
    for name in [f"worker{number}" for number in range(1, state["workers"] + 1)] + ["redis", "haproxy"]:
        print(f"{name}: {'running' if pid_of(name) else 'down'}")


def stop(name: str) -> None:
    pid = pid_of(name)
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while pid_of(name) is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        if pid_of(name) is not None:
            os.killpg(pid, signal.SIGKILL)
    (RUN / f"{name}.pid").unlink(missing_ok=True)


def down(options: argparse.Namespace) -> None:
    names = sorted(path.stem for path in RUN.glob("*.pid")) if RUN.exists() else []
    # The balancer first, then what it sends to, then what they use.
    order = ["haproxy"] + [n for n in names if n.startswith("app")] + [n for n in names if n.startswith("worker")]
    for name in [*order, "redis"]:
        stop(name)
    for data in (HOME / "pg-replica", HOME / "pg-primary"):  # the replica first: it follows the primary
        if (data / "postmaster.pid").exists():
            subprocess.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]))
    if options.wipe:
        shutil.rmtree(HOME, ignore_errors=True)
    print("Stopped" + (" and wiped var/topology/" if options.wipe else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="Start everything (idempotent: what runs already is left running)")
    start.add_argument("--apps", type=int, default=2, help="App servers behind HAProxy (default 2)")
    start.add_argument("--workers", type=int, default=2, help="Task workers (default 2)")
    start.add_argument("--processes", type=int, default=1, help="gunicorn processes per app server (default 1)")
    start.add_argument("--threads", type=int, default=4, help="Threads per gunicorn process (default 4)")
    commands.add_parser("status", help="What runs, and the replica's state")
    finish = commands.add_parser("down", help="Stop everything")
    finish.add_argument("--wipe", action="store_true", help="Also remove var/topology/ (the databases included)")
    options = parser.parse_args()
    {"up": up, "status": status, "down": down}[options.command](options)


if __name__ == "__main__":
    main()
