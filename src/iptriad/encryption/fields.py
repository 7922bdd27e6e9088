"""EncryptedTextField: a TextField whose database value is ciphertext (iptriad.encryption.cipher).

Forms, API schemas, exports and templates see plaintext through the ORM. The database cannot compare or sort
ciphertext, so lookups other than "is empty"/"is null" are refused with a clear error rather than quietly
matching nothing; Meta.ordering, indexes and unique constraints on these columns are refused by the system check
(iptriad.encryption.checks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Exact, IsNull, Lookup, Transform

from iptriad.core.limits import too_long
from iptriad.encryption.cipher import decrypt, encrypt
from iptriad.encryption.keys import Keyring, cached_keyring


def active_keyring() -> Keyring:
    return cached_keyring(settings.ENCRYPTION_KEYS)


def refused_lookup_message(identity: str, lookup: str) -> str:
    return (
        f'{identity} is encrypted at rest: the database cannot {lookup!r} it; only ="" and isnull are allowed. '
        "Filter or sort on another column, or in Python after reading."
    )


class EmptyOnlyExact(Exact):  # type: ignore[type-arg]
    """`field=""` still works (the empty string is stored as itself); any other value would never match."""

    def get_prep_lookup(self) -> Any:
        if self.rhs != "":
            raise FieldError(refused_lookup_message(self.lhs.output_field.identity, "exact"))
        return super().get_prep_lookup()


if TYPE_CHECKING:
    # Typed as a TextField of str, so model attributes are `str` to mypy (django-stubs' generics).
    _TextField = models.TextField[Any, str]
else:
    _TextField = models.TextField


class EncryptedTextField(_TextField):
    """Free-text clinical content, encrypted with the column's identity as associated data."""

    description = "Text encrypted at rest"

    @property
    def identity(self) -> str:
        """`app_label.model.field`: the associated data binding a ciphertext to this column."""
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: str | None, expression: Any, connection: BaseDatabaseWrapper) -> str | None:
        if value is None:
            return None
        return decrypt(value, identity=self.identity, keyring=active_keyring())

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        # The last gate for every caller (a page, the API, a command, a service): the database does not bound a
        # text column, and the ciphertext is longer than the text, so the limit is checked here on the plaintext.
        value = super().pre_save(model_instance, add)
        if self.max_length is not None and isinstance(value, str) and len(value) > self.max_length:
            raise ValidationError({self.name: too_long(self.max_length).format(length=len(value))})
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(value, identity=self.identity, keyring=active_keyring())

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(refused_lookup_message(self.identity, lookup_name))

    def get_transform(self, lookup_name: str) -> type[Transform] | None:
        raise FieldError(refused_lookup_message(self.identity, lookup_name))
