"""The shared crawl of the permission matrix's reads (tests/security/crawl.py)."""

from __future__ import annotations

import copy

import pytest
from django.db import transaction
from pytest_django import DjangoDbBlocker

from iptriad.audit import refusals
from tests.conftest import ModuleCast, build_personas
from tests.security.crawl import Crawl, crawl_reads
from tests.security.matrix_rows.base import matrix_objects


@pytest.fixture(scope="session")
def crawl(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Crawl:
    """Every read of the matrix, sent once for the whole session in a transaction rolled back at its end.

    When a module's personas (and objects) are in the database already, the crawl reads those, in a savepoint of
    the module's transaction: writing a second cast beside them would clash.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        cast = ModuleCast.current if ModuleCast.current is not None and ModuleCast.current.is_open else None
        # Copies: logging in sets last_login on the user objects the module's tests copy from.
        personas, objects = copy.deepcopy((cast.personas, cast.objects)) if cast else (build_personas(), None)
        crawled = crawl_reads(personas, objects or matrix_objects(personas))
        transaction.set_rollback(True)
    # The refusals the crawl counted name its members, rolled back with it: a later flush must not write them.
    refusals.forget_pending()
    return crawled
