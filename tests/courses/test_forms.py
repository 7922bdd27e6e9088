"""A course form that a service's details are built from asks for exactly the details' fields, in their order (the
model forms take theirs from the details: `Meta.fields = field_names(...)`)."""

from __future__ import annotations

import pytest

from iptriad.core.details import field_names
from iptriad.courses.forms.middle import ContractForm
from iptriad.courses.forms.sessions import CourseSessionForm
from iptriad.courses.forms.termination import MaintenancePlanForm, RelapsePreventionPlanForm, TerminationReviewForm
from iptriad.courses.services.middle import ContractTerms
from iptriad.courses.services.sessions import SessionDetails
from iptriad.courses.services.termination import (
    MaintenancePlanDetails,
    RelapsePreventionPlanDetails,
    TerminationReviewDetails,
)


@pytest.mark.parametrize(
    ("form", "details", "beside"),
    [
        (ContractForm, ContractTerms, ("renegotiation_note",)),  # kept beside the terms, dated
        (CourseSessionForm, SessionDetails, ()),
        (TerminationReviewForm, TerminationReviewDetails, ()),
        (RelapsePreventionPlanForm, RelapsePreventionPlanDetails, ()),
        (MaintenancePlanForm, MaintenancePlanDetails, ()),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_form_asks_for_the_fields_of_the_details_it_becomes(form, details, beside):
    assert tuple(form.base_fields) == field_names(details) + beside
