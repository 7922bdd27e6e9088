import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from iptriad.accounts.models import Membership, Organisation, Role, User
from iptriad.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str = "", monkeypatch=None) -> str:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_createorg_creates_an_organisation_with_a_slug_from_its_name():
    output = run("createorg", "Northside Wellbeing Service", "--time-zone", "Europe/Dublin")
    organisation = Organisation.objects.get(slug="northside-wellbeing-service")
    assert organisation.time_zone == "Europe/Dublin"
    assert "slug 'northside-wellbeing-service'" in output
    assert AuditEvent.objects.filter(action=AuditAction.ORGANISATION_CREATED, organisation=organisation).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("createorg", "  "), "Give a name."),
        (("createorg", "X", "--slug", "Bad Slug!"), "Use 1 to 50 lower-case letters"),
        (("createorg", "X", "--time-zone", "Moon/Base"), "Unknown time zone"),
    ],
)
def test_createorg_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_createorg_refuses_a_taken_slug():
    run("createorg", "Alpha", "--slug", "alpha")
    with pytest.raises(CommandError, match="already exists"):
        run("createorg", "Alpha again", "--slug", "alpha")


def test_adduser_creates_the_account_from_a_password_on_stdin_and_adds_the_membership(monkeypatch):
    run("createorg", "Alpha", "--slug", "alpha")
    output = run(
        "adduser",
        "New.Person@Alpha.Example",
        "--org",
        "alpha",
        "--role",
        "therapist",
        "--name",
        "New Person",
        stdin="a-long-enough-passphrase\n",
        monkeypatch=monkeypatch,
    )
    user = User.objects.get(email="new.person@alpha.example")
    assert Membership.objects.get(user=user).role == Role.THERAPIST
    assert (
        authenticate(
            RequestFactory().post("/login/"), username="new.person@alpha.example", password="a-long-enough-passphrase"
        )
        == user
    )
    assert "as Therapist" in output


def test_adduser_adds_an_existing_account_to_a_second_organisation_without_a_password(monkeypatch):
    run("createorg", "Alpha", "--slug", "alpha")
    run("createorg", "Beta", "--slug", "beta")
    run(
        "adduser",
        "p@example.org",
        "--org",
        "alpha",
        "--role",
        "therapist",
        "--name",
        "P",
        stdin="a-long-enough-passphrase\n",
        monkeypatch=monkeypatch,
    )
    run("adduser", "p@example.org", "--org", "beta", "--role", "supervisor")
    assert sorted(Membership.objects.values_list("organisation__slug", "role")) == [
        ("alpha", "therapist"),
        ("beta", "supervisor"),
    ]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("--org", "nowhere", "--role", "admin", "--name", "P"), "a-long-enough-passphrase\n", "No organisation"),
        (("--org", "alpha", "--role", "admin"), "a-long-enough-passphrase\n", "needs --name"),
        (("--org", "alpha", "--role", "admin", "--name", "P"), "short\n", "too short"),
        (("--org", "alpha", "--role", "admin", "--name", "P"), "password123\n", "too common|too short"),
        (("--org", "alpha", "--role", "admin", "--name", "P"), "\n", "standard input"),
    ],
)
def test_adduser_refuses_bad_input_and_creates_nothing(monkeypatch, args, stdin, message):
    run("createorg", "Alpha", "--slug", "alpha")
    with pytest.raises(CommandError, match=message):
        run("adduser", "p@example.org", *args, stdin=stdin, monkeypatch=monkeypatch)
    assert not User.objects.exists()


def test_adduser_refuses_a_second_membership_in_the_same_organisation(monkeypatch):
    run("createorg", "Alpha", "--slug", "alpha")
    run(
        "adduser",
        "p@example.org",
        "--org",
        "alpha",
        "--role",
        "admin",
        "--name",
        "P",
        stdin="a-long-enough-passphrase\n",
        monkeypatch=monkeypatch,
    )
    with pytest.raises(CommandError, match="already a member"):
        run("adduser", "p@example.org", "--org", "alpha", "--role", "therapist")


def test_createorg_requires_mfa_from_the_start(db):
    call_command("createorg", "Northside Wellbeing", stdout=io.StringIO())
    assert Organisation.objects.get(slug="northside-wellbeing").mfa_required


def test_the_demo_organisations_have_mfa_off_and_the_demo_says_where_to_switch_it_on(db):
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert set(Organisation.objects.values_list("slug", "mfa_required")) == {
        ("demo", False),
        ("demo-outreach", False),
    }
    text = out.getvalue()
    assert "switched OFF for the demo organisations" in text
    assert "'Require an authenticator app' under Settings" in text
