"""The Patient and Practitioners an export refers to: in the Bundle, and named by a business identifier.

A receiver has no access to iptriad's database, so a reference such as ``Patient/42`` resolves to nothing (or,
worse, to another system's patient 42). Each person is therefore a resource in the Bundle, ``fullUrl``
``urn:uuid:<uuid5 of the identifier>``, and every reference to them gives that fullUrl, the resource type and the
business identifier, so it still identifies the person once the resource is taken out of the Bundle:

* the client: the organisation's record number (``Identifier.type`` MR), in a system of that organisation
  (``urn:iptriad:organisation:<slug>:client``), assigned by the organisation. No name, birth date or address is
  sent: the receiver matches the record number.
* a clinician who recorded an administration: their sign-in e-mail address as a ``mailto:`` URI (system
  ``urn:ietf:rfc:3986``), and their name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from iptriad.core.fhir.codes import JSON, stable_uuid

IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
URI_SYSTEM = "urn:ietf:rfc:3986"  # the identifier's value is itself a URI


def client_identifier_system(organisation_slug: str) -> str:
    """Record numbers are unique within an organisation, so each organisation has its own system."""
    return f"urn:iptriad:organisation:{organisation_slug}:client"


@dataclass(frozen=True)
class Party:
    """A person an exported resource refers to, by a business identifier (module docstring)."""

    resource_type: Literal["Patient", "Practitioner"]
    system: str
    value: str
    name: str | None = None
    record_number: bool = False  # Identifier.type MR: the organisation's medical record number
    assigner: str | None = None  # the organisation that assigned the identifier

    @property
    def full_url(self) -> str:
        return f"urn:uuid:{stable_uuid(self.resource_type, self.system, self.value)}"

    def identifier(self) -> JSON:
        identifier: JSON = {}
        if self.record_number:
            identifier["type"] = {
                "coding": [{"system": IDENTIFIER_TYPE, "code": "MR", "display": "Medical record number"}]
            }
        identifier["system"] = self.system
        identifier["value"] = self.value
        if self.assigner:
            identifier["assigner"] = {"display": self.assigner}
        return identifier

    def reference(self) -> JSON:
        reference: JSON = {"reference": self.full_url, "type": self.resource_type, "identifier": self.identifier()}
        if self.name:
            reference["display"] = self.name
        return reference

    def resource(self) -> JSON:
        resource: JSON = {
            "resourceType": self.resource_type,
            "id": self.full_url.removeprefix("urn:uuid:"),
            "identifier": [self.identifier()],
        }
        if self.name:
            resource["name"] = [{"text": self.name}]
        return resource


def patient(*, record_number: str, organisation_slug: str, organisation_name: str) -> Party:
    return Party(
        "Patient",
        client_identifier_system(organisation_slug),
        record_number,
        record_number=True,
        assigner=organisation_name,
    )


def practitioner(*, email: str, name: str | None) -> Party:
    return Party("Practitioner", URI_SYSTEM, f"mailto:{email}", name=name or None)
