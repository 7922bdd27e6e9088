"""Personal API tokens: the services and `iptriad apitoken create|revoke|list`."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client as HttpClient

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership
from iptriad.api.models import ApiToken
from iptriad.api.services import (
    ERROR_ALREADY_REVOKED,
    ERROR_DAYS,
    ERROR_NAME_REQUIRED,
    ERROR_NOT_A_MEMBER,
    api_token_create,
    api_token_revoke,
)
from iptriad.audit.models import AuditEvent
from tests.api.conftest import Api
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def create(personas: Personas, **overrides: Any) -> tuple[ApiToken, str]:
    values: dict[str, Any] = {"user": personas.therapist_a, "name": "outcomes export", "days": 30}
    values.update(overrides)
    return api_token_create(actor=Actor.operator(personas.org_a), **values)


def test_it_keeps_only_the_hash_and_the_prefix(personas):
    api_token, token = create(personas)
    assert len(token) >= 43
    assert api_token.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert api_token.prefix == token[:8]
    assert token not in str(list(ApiToken.objects.values()))
    assert api_token.expires_at - api_token.created_at == dt.timedelta(days=30)


def test_no_token_begins_with_a_dash(personas, monkeypatch):
    # `apitoken revoke PREFIX` would read a prefix beginning with "-" as an option: such a draw is drawn again.
    draws = iter(["-" + "a" * 42, "b" * 43])
    monkeypatch.setattr("iptriad.api.services.secrets.token_urlsafe", lambda _: next(draws))
    _, token = create(personas)
    assert token == "b" * 43


def test_it_audits_creation_and_revocation_without_the_token(personas):
    api_token, token = create(personas)
    api_token_revoke(actor=Actor.operator(personas.org_a), api_token=api_token)
    events = list(AuditEvent.objects.filter(object_type="apitoken").order_by("pk"))
    assert [event.action for event in events] == ["api.token_created", "api.token_revoked"]
    assert all(token not in str(event.detail) for event in events)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", ERROR_NAME_REQUIRED),
        ({"days": 0}, "days", ERROR_DAYS),
        ({"days": 366}, "days", ERROR_DAYS),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(personas, overrides, field, message):
    with pytest.raises(ValidationError) as refused:
        create(personas, **overrides)
    assert refused.value.message_dict[field] == [message]
    assert not ApiToken.objects.exists()


def test_it_refuses_a_user_who_is_not_an_active_member(personas):
    with pytest.raises(ValidationError) as refused:
        create(personas, user=personas.therapist_b)
    assert refused.value.message_dict["user"] == [ERROR_NOT_A_MEMBER]
    Membership.objects.filter(user=personas.therapist_a).update(is_active=False)
    with pytest.raises(ValidationError):
        create(personas)


def test_it_refuses_to_revoke_twice(personas):
    api_token, _ = create(personas)
    api_token_revoke(actor=Actor.operator(personas.org_a), api_token=api_token)
    with pytest.raises(ValidationError) as refused:
        api_token_revoke(actor=Actor.operator(personas.org_a), api_token=api_token)
    assert refused.value.messages == [ERROR_ALREADY_REVOKED]


class TestCommand:
    def run(self, *args: str) -> str:
        out = StringIO()
        call_command("apitoken", *args, stdout=out)
        return out.getvalue()

    def test_create_prints_a_working_token_once(self, personas):
        out = self.run("create", "Therapist.A@alpha.example", "--org", "alpha", "--name", "export", "--days", "7")
        token = out.splitlines()[1]
        assert Api(HttpClient(), token).get("/clients").status_code == 200
        assert ApiToken.objects.get().prefix == token[:8]

    def test_list_shows_prefixes_never_tokens(self, personas):
        out = self.run("create", "therapist.a@alpha.example", "--org", "alpha", "--name", "export")
        token = out.splitlines()[1]
        listing = self.run("list", "--org", "alpha")
        assert token[:8] in listing
        assert token not in listing
        assert "export" in listing
        assert "active" in listing
        assert "has no API tokens" in self.run("list", "--org", "beta")

    def test_revoke_by_prefix(self, personas):
        token = self.run("create", "therapist.a@alpha.example", "--org", "alpha", "--name", "x").splitlines()[1]
        # "--" ends the options: a random token may begin with "-" (CI met one), as on a shell.
        assert "Revoked" in self.run("revoke", "--", token[:8])
        assert ApiToken.objects.get().status == "revoked"
        with pytest.raises(CommandError, match="already revoked"):
            self.run("revoke", "--", token[:8])

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("create", "nobody@alpha.example", "--org", "alpha", "--name", "x"), "No account"),
            (("create", "therapist.a@alpha.example", "--org", "nowhere", "--name", "x"), "No organisation"),
            (("create", "therapist.b@beta.example", "--org", "alpha", "--name", "x"), ERROR_NOT_A_MEMBER),
            (("create", "therapist.a@alpha.example", "--org", "alpha", "--name", "x", "--days", "400"), ERROR_DAYS),
            (("revoke", "zzzzzzzz"), "No token"),
        ],
    )
    def test_it_explains_what_is_wrong(self, personas, args, message):
        with pytest.raises(CommandError, match=message.split("(")[0][:30]):
            self.run(*args)
