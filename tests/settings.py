"""Test settings: the product's settings with fast password hashing and a fixed key."""

import os

os.environ.setdefault("IPTRIAD_SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django-checks-0123456789")
os.environ.setdefault("IPTRIAD_DATA_DIR", "var/test")
# A fixed AES-256 key (base64 of 32 bytes); tests of rotation add their own keys with override_settings.
os.environ.setdefault("IPTRIAD_ENCRYPTION_KEYS", "test:dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyYnl0ZXM")

# Tasks run in the test process at once (in-memory queue); a test that starts a real worker says otherwise.
os.environ.setdefault("IPTRIAD_TASK_IMMEDIATE", "1")

from iptriad.settings import *  # noqa: F403

# Argon2 is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The security suites send hundreds of refused requests from one address on purpose: the refusal rate limit
# would answer them 429. Its own tests (tests/audit/test_refusal_limit.py) turn it on at the default.
REFUSAL_LIMIT_PER_MINUTE = 0

# A test's commits need not reach the disk before it goes on: nothing here survives a crash of the test server
# (the crash tests run `iptriad serve` with the product's settings). Saves the PostgreSQL suite a flush per commit.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
