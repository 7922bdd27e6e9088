"""The permission matrix's objects as a fixture, written once per test module beside its personas.

A plugin of tests/conftest.py: the security and the API tests both address these objects.
"""

from __future__ import annotations

import pytest
from pytest_django import DjangoDbBlocker

from tests.conftest import ModuleCast, Personas, modules_using
from tests.security.matrix_rows.base import MatrixObjects, matrix_objects
from tests.shared_data import copy_for_test


@pytest.fixture(scope="module", autouse=True)
def module_objects(
    request: pytest.FixtureRequest, module_cast: ModuleCast | None, django_db_blocker: DjangoDbBlocker
) -> MatrixObjects | None:
    """Both organisations' objects of every type, written in the module's transaction before its first test when
    one of its tests uses them (as the personas are: every test of the module sees them)."""
    if (
        module_cast is None
        or not module_cast.is_open
        or request.node.nodeid not in modules_using(request.session, "objects")
    ):
        return None
    with django_db_blocker.unblock():
        objects = matrix_objects(module_cast.personas)
    module_cast.objects = objects  # for the crawl, should it run while this module's transaction is open
    return objects


@pytest.fixture
def objects(
    request: pytest.FixtureRequest,
    personas: Personas,
    module_cast: ModuleCast | None,
    module_objects: MatrixObjects | None,
) -> MatrixObjects:
    if module_cast is not None and module_objects is not None and module_cast.serves(request):
        return copy_for_test(request, module_objects)
    return matrix_objects(personas)
