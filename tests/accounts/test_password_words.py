"""Context words a password may not lean on (ASVS 6.1.2, 6.2.11) and no composition rule (ASVS 6.2.5)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from iptriad.accounts.passwords import CONTEXT_WORDS, ERROR_CONTEXT, ContextWordsValidator, context_words

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password", ["Iptriad-2026!", "psychotherapy#77", "Therapist!Therapist!", "Welcome2Clinic"])
def test_a_context_word_dressed_up_is_refused_with_its_message(personas, password):
    with pytest.raises(ValidationError) as raised:
        ContextWordsValidator().validate(password, personas.therapist_a)
    assert raised.value.messages == [ERROR_CONTEXT]


def test_the_users_organisation_counts_as_a_context_word(personas):
    organisation = personas.therapist_a.memberships.get().organisation
    assert organisation.slug.split("-")[0] in context_words(personas.therapist_a) or len(organisation.slug) < 4
    word = max(context_words(personas.therapist_a) - set(CONTEXT_WORDS), key=len)
    with pytest.raises(ValidationError):
        ContextWordsValidator().validate(f"{word.title()}#2026!", personas.therapist_a)


def test_a_long_passphrase_that_contains_a_context_word_is_accepted(personas):
    validate_password("amber therapy kettle orbit lantern", personas.therapist_a)


def test_digits_only_are_refused_for_being_guessable_not_by_a_composition_rule(personas):
    with pytest.raises(ValidationError) as raised:
        validate_password("1234567890123", personas.therapist_a)
    codes = {error.code for error in raised.value.error_list}
    assert "password_guessable" in codes
    assert "password_entirely_numeric" not in codes
    # Letters only, no capital, no digit, no symbol: accepted when it is long and unguessable.
    validate_password("amber kettle orbit lantern", personas.therapist_a)
