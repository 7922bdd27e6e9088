"""`iptriad check` refuses a database feature that would need the plaintext of an encrypted column.

An index, a unique constraint or a default ordering on ciphertext is useless (random nonces make equal texts
differ) and would silently misbehave, so declaring one is an error rather than a surprise in production.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.db.models import Model

from iptriad.encryption.fields import EncryptedTextField
from iptriad.encryption.keys import parse_keyring
from iptriad.env import ConfigurationError


@register()
def encryption_keyring_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    try:
        parse_keyring(settings.ENCRYPTION_KEYS)
    except ConfigurationError as error:
        return [Error(str(error), id="encryption.E001")]
    return []


@register()
def encrypted_columns_not_sorted_or_indexed_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    return [problem for model in apps.get_models() for problem in encrypted_column_problems(model)]


def encrypted_column_problems(model: type[Model]) -> list[CheckMessage]:
    encrypted = {f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)}
    if not encrypted:
        return []
    problems: list[CheckMessage] = []
    for model_field in model._meta.concrete_fields:
        if model_field.name in encrypted and (model_field.unique or getattr(model_field, "db_index", False)):
            problems.append(_error(model, model_field.name, "is unique or indexed"))
    ordering = {str(name).lstrip("-").split("__")[0] for name in model._meta.ordering or ()}
    indexed = {name.lstrip("-") for index in model._meta.indexes for name in index.fields or ()}
    unique = {name for constraint in model._meta.constraints for name in getattr(constraint, "fields", ())}
    unique |= {name for together in model._meta.unique_together for name in together}
    for name in sorted(encrypted & ordering):
        problems.append(_error(model, name, "is in Meta.ordering"))
    for name in sorted(encrypted & (indexed | unique)):
        problems.append(_error(model, name, "is in an index or unique constraint"))
    return problems


def _error(model: type[Model], name: str, what: str) -> Error:
    return Error(
        f"{model._meta.label_lower}.{name} is encrypted at rest and {what}; ciphertext cannot be sorted or compared",
        obj=model,
        id="encryption.E002",
    )
