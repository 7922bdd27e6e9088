"""A body that a service's details are built from takes exactly the details' fields, in their order: the service's
dataclass names them once, the page forms derive theirs from it, and each body states only its fields' API types."""

from __future__ import annotations

import pytest

from iptriad.api.schemas.clients import ClientIn, ClientPatch
from iptriad.api.schemas.initial import AssessmentIn, EventIn, EventPatch, PersonIn, PersonPatch, TriadIn
from iptriad.api.schemas.middle import ContractIn
from iptriad.api.schemas.sessions import SessionIn, SessionPatch
from iptriad.api.schemas.termination import MaintenancePlanIn, RelapsePreventionPlanIn, TerminationReviewIn
from iptriad.clients.services import ClientDetails
from iptriad.core.details import field_names
from iptriad.courses.services.initial import AssessmentDetails, EventDetails, PersonDetails, TriadDetails
from iptriad.courses.services.middle import ContractTerms
from iptriad.courses.services.sessions import SessionDetails
from iptriad.courses.services.termination import (
    MaintenancePlanDetails,
    RelapsePreventionPlanDetails,
    TerminationReviewDetails,
)


@pytest.mark.parametrize(
    ("body", "details", "beside", "without"),
    [
        (ClientIn, ClientDetails, (), ()),
        (ClientPatch, ClientDetails, (), ()),
        (AssessmentIn, AssessmentDetails, (), ()),
        (PersonIn, PersonDetails, (), ()),
        (PersonPatch, PersonDetails, (), ()),
        (EventIn, EventDetails, (), ()),
        (EventPatch, EventDetails, (), ()),
        (TriadIn, TriadDetails, (), ()),
        (ContractIn, ContractTerms, ("renegotiation_note",), ()),  # kept beside the terms, dated
        (SessionIn, SessionDetails, (), ()),
        # A correction of a session leaves the plan alone: the next session is planned on recording, or on its own.
        (SessionPatch, SessionDetails, (), ("next_session_at",)),
        (TerminationReviewIn, TerminationReviewDetails, (), ()),
        (RelapsePreventionPlanIn, RelapsePreventionPlanDetails, (), ()),
        (MaintenancePlanIn, MaintenancePlanDetails, (), ()),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_body_takes_the_fields_of_the_details_it_becomes(body, details, beside, without):
    kept = tuple(name for name in field_names(details) if name not in without)
    assert tuple(body.model_fields) == kept + beside
