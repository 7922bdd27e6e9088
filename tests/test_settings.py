"""Settings come from IPTRIAD_* variables, refuse bad values loudly, and production is locked down."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from iptriad import env
from iptriad.encryption.keys import new_key_entry

# Commands in a clean environment, on a SQLite file of their own: the same whatever database the suite runs on.
pytestmark = pytest.mark.database_independent

IPTRIAD = str(Path(sys.executable).with_name("iptriad"))


def run_iptriad(*args: str, tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("IPTRIAD_") and k != "DJANGO_SETTINGS_MODULE"}
    clean.update({"IPTRIAD_DATA_DIR": str(tmp_path), **variables})
    return subprocess.run([IPTRIAD, *args], capture_output=True, text=True, env=clean, timeout=120, check=False)  # noqa: S603


PRODUCTION = {
    "IPTRIAD_ENV": "production",
    "IPTRIAD_SECRET_KEY": secrets.token_urlsafe(64),
    "IPTRIAD_ALLOWED_HOSTS": "clinic.example.org",
    "IPTRIAD_ENCRYPTION_KEYS": new_key_entry(),
    "IPTRIAD_EMAIL_URL": "smtp+starttls://alerts:secret@mail.clinic.example.org",
    "IPTRIAD_EMAIL_FROM": "iptriad@clinic.example.org",
}


def test_production_passes_the_deployment_checks_with_no_warnings(tmp_path):
    result = run_iptriad("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("IPTRIAD_SECRET_KEY", "IPTRIAD_SECRET_KEY must be set"),
        ("IPTRIAD_ALLOWED_HOSTS", "IPTRIAD_ALLOWED_HOSTS must name the host names"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(tmp_path, missing, message):
    variables = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_iptriad("check", tmp_path=tmp_path, **variables)
    assert result.returncode == 2
    assert result.stderr.strip() == f"iptriad: configuration error: {message}" or message in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_a_short_secret_key_and_a_wildcard_host(tmp_path):
    short = run_iptriad("check", tmp_path=tmp_path, **{**PRODUCTION, "IPTRIAD_SECRET_KEY": "short"})
    wildcard = run_iptriad("check", tmp_path=tmp_path, **{**PRODUCTION, "IPTRIAD_ALLOWED_HOSTS": "*"})
    assert "at least 50 random characters" in short.stderr
    assert "must not contain '*'" in wildcard.stderr


def test_development_generates_a_secret_key_once_into_the_data_directory(tmp_path):
    first = run_iptriad("check", tmp_path=tmp_path)
    key = (tmp_path / "secret_key").read_text()
    second = run_iptriad("check", tmp_path=tmp_path)
    assert first.returncode == second.returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_production_warns_when_email_only_goes_to_the_log(tmp_path):
    result = run_iptriad("check", "--deploy", tmp_path=tmp_path, **{**PRODUCTION, "IPTRIAD_EMAIL_URL": "console://"})
    assert "iptriad.N001" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("IPTRIAD_EMAIL_URL", "http://mail.example.org", "IPTRIAD_EMAIL_URL must start with smtp://"),
        ("IPTRIAD_EMAIL_FROM", "not an address", "IPTRIAD_EMAIL_FROM must be an e-mail address"),
        ("IPTRIAD_SMS_URL", "twilio://sid:token@api.twilio.com", "IPTRIAD_SMS_URL must say the sending number"),
        ("IPTRIAD_TASK_BROKER_URL", "amqp://rabbit", "IPTRIAD_TASK_BROKER_URL must be a redis:// URL"),
        ("IPTRIAD_WORKER_THREADS", "0", "IPTRIAD_WORKER_THREADS must be 1 or more"),
        ("IPTRIAD_WORKER", "sometimes", "IPTRIAD_WORKER must be one of embedded, external"),
    ],
)
def test_bad_notification_settings_stop_the_start_in_one_line(tmp_path, variable, value, message):
    result = run_iptriad("check", tmp_path=tmp_path, **{variable: value})
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_it_refuses_an_unknown_database_url_scheme(tmp_path):
    result = run_iptriad("check", tmp_path=tmp_path, IPTRIAD_DATABASE_URL="mysql://root@localhost/x")
    assert result.returncode == 2
    assert "IPTRIAD_DATABASE_URL must be a sqlite:// or postgres:// URL" in result.stderr


def test_sqlite_runs_in_wal_with_full_synchronous_and_immediate_transactions(tmp_path):
    script = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor();"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA synchronous').fetchone()[0],"
        " connection.settings_dict['OPTIONS']['transaction_mode'], c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("IPTRIAD_")}
    clean.update({"IPTRIAD_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "iptriad.settings"})
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=clean, check=True)  # noqa: S603
    assert result.stdout.split() == ["wal", "2", "IMMEDIATE", "20000"]  # synchronous 2 = FULL


@pytest.mark.parametrize(
    ("reader", "raw", "message"),
    [
        (lambda: env.env_bool("IPTRIAD_X", False), "perhaps", "IPTRIAD_X must be true or false, not 'perhaps'"),
        (lambda: env.env_int("IPTRIAD_X", 1), "ten", "IPTRIAD_X must be a whole number, not 'ten'"),
        (lambda: env.env_time_zone("IPTRIAD_X", "UTC"), "Mars/Base", "IPTRIAD_X must be an IANA time zone"),
        (lambda: env.env_choice("IPTRIAD_X", "a", ("a", "b")), "c", "IPTRIAD_X must be one of a, b, not 'c'"),
    ],
)
def test_the_typed_readers_refuse_bad_values(monkeypatch, reader, raw, message):
    monkeypatch.setenv("IPTRIAD_X", raw)
    with pytest.raises(env.ConfigurationError, match=message.replace("(", r"\(")):
        reader()


def test_the_typed_readers_read_good_values(monkeypatch):
    monkeypatch.setenv("IPTRIAD_X", "a.example, b.example,")
    assert env.env_list("IPTRIAD_X", []) == ["a.example", "b.example"]
    monkeypatch.setenv("IPTRIAD_X", "Off")
    assert env.env_bool("IPTRIAD_X", True) is False


def test_serve_refuses_to_start_on_an_unmigrated_database(tmp_path):
    result = run_iptriad("serve", "--port", "8999", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "migrations are not applied: run `iptriad migrate` first" in result.stderr


@pytest.mark.parametrize(
    "command", [("audit", "verify"), ("clientdata", "export", "--client", "1"), ("demo",)], ids=" ".join
)
def test_a_command_on_an_unmigrated_database_says_to_migrate_instead_of_a_traceback(tmp_path, command):
    result = run_iptriad(*command, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "the database is not up to date" in result.stderr
    assert "Run `iptriad migrate` first." in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_malformed_port_from_the_environment(tmp_path):
    result = run_iptriad("serve", tmp_path=tmp_path, IPTRIAD_PORT="eighty")
    assert result.returncode == 2
    assert "IPTRIAD_PORT must be a whole number" in result.stderr


def test_the_product_stores_passwords_with_argon2id():
    """The tests hash with MD5 for speed (tests/settings.py); the product's own first hasher is argon2id."""
    from django.utils.module_loading import import_string

    from iptriad import settings as product

    hasher = import_string(product.PASSWORD_HASHERS[0])()
    assert hasher.encode("a passphrase", hasher.salt()).startswith("argon2$argon2id$")


def test_the_demo_refuses_to_run_in_production(tmp_path):
    """ASVS 6.3.2: no default accounts; the demo's published password never reaches a production database."""
    result = run_iptriad("demo", tmp_path=tmp_path, **PRODUCTION)
    assert result.returncode == 1
    assert "it does not run when IPTRIAD_ENV=production" in result.stderr
    assert "Demo logins" not in result.stdout
