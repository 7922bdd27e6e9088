"""Instruments, administrations, self-report links, risk alerts and the FHIR export; the measures services and
selectors do the work (scoring, the risk-alert rule, links), so the API and the pages answer alike."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Status

from iptriad.accounts.permissions import Action, require
from iptriad.api.auth import actor_of
from iptriad.api.errors import ERRORS_PLAIN_READ, ERRORS_READ, ERRORS_WRITE
from iptriad.api.retries import idempotent
from iptriad.api.schemas.common import Id, PageQuery
from iptriad.api.schemas.measures import (
    AdministrationDetailOut,
    AdministrationIn,
    AdministrationOut,
    AdministrationPage,
    AlertCloseIn,
    AlertListQuery,
    AlertOut,
    ConcernIn,
    FhirBundleOut,
    InstrumentOut,
    LinkCreatedOut,
    LinkIn,
    LinkOut,
)
from iptriad.api.selectors import (
    administrations_listed,
    alert_ids_of_administration,
    course_keys_of,
    with_course_keys,
)
from iptriad.core.instruments import Instrument, UnknownInstrumentError, instrument, instruments
from iptriad.courses.selectors.sessions import course_session_for_measures
from iptriad.measures.export import client_fhir_export
from iptriad.measures.models import Administration, RiskAlert, SelfReportLink
from iptriad.measures.permissions import alert_policy
from iptriad.measures.selectors import (
    administration_get,
    administrations_for_client,
    alert_get,
    client_for_measures,
    link_get,
    open_alerts,
)
from iptriad.measures.services import (
    administration_record,
    risk_alert_close,
    risk_alert_open_concern,
    self_report_link_create,
    self_report_link_revoke,
)

router = Router(tags=["measures"])

ALERT_LIST_MAX = 200  # as the alerts page shows
LEFT_OUT_HEADER = "X-Iptriad-Left-Out"


def _instrument_out(definition: Instrument) -> dict[str, Any]:
    return {
        "code": definition.code,
        "version": definition.version,
        "name": definition.name,
        "short_name": definition.short_name,
        "respondent": definition.respondent.value,
        "audience": definition.audience,
        "recall_period": definition.recall_period,
        "scoring": definition.scoring.value,
        "score_range": list(definition.score_range),
        "higher_is_better": definition.higher_is_better,
        "item_text": definition.item_text.value,
        "stem": definition.stem,
        "items": [
            {
                "number": item.number,
                "text": item.text,
                "scored": item.scored,
                "critical": item.critical is not None,
                "count_max": item.count.maximum if item.count is not None else None,
                "lifetime": item.critical is not None and item.critical.lifetime,
                "options": [
                    {"position": position, "score": option.score, "text": option.text}
                    for position, option in enumerate(item.options)
                ],
            }
            for item in definition.items
        ],
        "bands": [{"lower": band.lower, "label": band.label} for band in definition.bands],
        "licence": definition.licence,
        "citation": definition.citation,
    }


def _administration_detail(request: HttpRequest, administration: Administration) -> dict[str, Any]:
    """The administration with each answer's wording (where shipped) and the risk alerts it opened."""
    try:
        definition: Instrument | None = instrument(administration.instrument_code)
    except UnknownInstrumentError:
        definition = None  # no longer shipped: the answers stand without their wording
    course_keys_of(administration)
    answers = []
    for answer in administration.answers.all():
        option_text = None
        if definition is not None and answer.position is not None:
            options = definition.item(answer.item_number).options  # none for a count item
            option_text = options[answer.position].text if answer.position < len(options) else None
        answers.append(
            {
                "item_number": answer.item_number,
                "position": answer.position,
                "score": answer.score,
                "option_text": option_text,
            }
        )
    return {
        **{name: getattr(administration, name) for name in AdministrationOut.model_fields},
        "answers": answers,
        "alert_ids": alert_ids_of_administration(actor=actor_of(request), administration=administration),
    }


@router.get("/instruments", response={200: list[InstrumentOut], **ERRORS_PLAIN_READ}, summary="List the instruments")
def instrument_list_api(request: HttpRequest) -> list[dict[str, Any]]:
    """Every shipped instrument with its items and options; item wording only where it is shipped."""
    actor_of(request)
    return [_instrument_out(definition) for definition in instruments().values()]


@router.get(
    "/clients/{int:client_id}/administrations",
    response={200: AdministrationPage, **ERRORS_READ},
    summary="List a client's measures",
)
def administration_list_api(request: HttpRequest, client_id: Id, page: Query[PageQuery]) -> dict[str, Any]:
    """Newest first."""
    actor = actor_of(request)
    client = client_for_measures(actor=actor, client_id=client_id)
    administrations = with_course_keys(administrations_for_client(actor=actor, client=client))
    shown = list(administrations[page.offset : page.offset + page.limit])
    administrations_listed(actor=actor, client=client, shown=shown)
    return {"count": administrations.count(), "limit": page.limit, "offset": page.offset, "items": shown}


@router.post(
    "/clients/{int:client_id}/administrations",
    response={201: AdministrationDetailOut, **ERRORS_WRITE},
    summary="Record a measure",
)
@idempotent
def administration_record_api(request: HttpRequest, client_id: Id, payload: AdministrationIn) -> Status[dict[str, Any]]:
    """Scored on the server; a positive critical item (e.g. PHQ-9 item 9) opens a risk alert in the same
    transaction (see `alert_ids`). Joins the given session's course, else the client's open course."""
    actor = actor_of(request)
    client = client_for_measures(actor=actor, client_id=client_id, action=Action.CREATE)
    session = (
        course_session_for_measures(actor=actor, client=client, session_id=payload.session)
        if payload.session is not None
        else None
    )
    administration = administration_record(
        actor=actor,
        client=client,
        code=payload.instrument,
        answers=payload.answers,
        occasion=session.occasion if session is not None else None,
    )
    return Status(201, _administration_detail(request, administration))


@router.get(
    "/administrations/{int:administration_id}",
    response={200: AdministrationDetailOut, **ERRORS_READ},
    summary="Read a measure with its answers",
)
def administration_get_api(request: HttpRequest, administration_id: Id) -> dict[str, Any]:
    administration = administration_get(actor=actor_of(request), administration_id=administration_id)
    return _administration_detail(request, administration)


@router.get(
    "/clients/{int:client_id}/fhir",
    response={200: FhirBundleOut, **ERRORS_READ},
    summary="Export a client's measures as FHIR",
)
def fhir_export_api(request: HttpRequest, client_id: Id, response: HttpResponse) -> dict[str, Any]:
    """A FHIR R4 Bundle (collection): per administration a QuestionnaireResponse, the total's Observation and one
    Observation per critical item; oldest first. Administrations that cannot be exported faithfully (answered
    against another version of the instrument, diaries) are left out: the X-Iptriad-Left-Out header counts them."""
    actor = actor_of(request)
    client = client_for_measures(actor=actor, client_id=client_id)
    export = client_fhir_export(actor=actor, client=client)
    response[LEFT_OUT_HEADER] = str(len(export.left_out))
    return export.bundle


@router.post(
    "/clients/{int:client_id}/links",
    response={201: LinkCreatedOut, **ERRORS_WRITE},
    summary="Create a self-report link",
)
@idempotent
def link_create_api(request: HttpRequest, client_id: Id, payload: LinkIn) -> Status[dict[str, Any]]:
    """The link's address is in the answer once; only its hash is kept, so it cannot be shown again."""
    actor = actor_of(request)
    client = client_for_measures(actor=actor, client_id=client_id, action=Action.CREATE)
    link, token = self_report_link_create(
        actor=actor, client=client, code=payload.instrument, valid_days=payload.valid_days
    )
    url = request.build_absolute_uri(reverse("self-report", kwargs={"token": token}))
    return Status(201, {**{name: getattr(link, name) for name in LinkOut.model_fields}, "url": url})


@router.post("/links/{int:link_id}/withdraw", response={200: LinkOut, **ERRORS_WRITE}, summary="Withdraw a link")
def link_withdraw_api(request: HttpRequest, link_id: Id) -> SelfReportLink:
    """A link not yet answered can no longer be; withdrawing an answered or withdrawn link changes nothing."""
    actor = actor_of(request)
    return self_report_link_revoke(actor=actor, link=link_get(actor=actor, link_id=link_id, action=Action.UPDATE))


@router.get("/alerts", response={200: list[AlertOut], **ERRORS_READ}, summary="List open risk alerts")
def alert_list_api(request: HttpRequest, filters: Query[AlertListQuery]) -> list[RiskAlert]:
    """Oldest first: the longest-waiting risk is the most urgent (at most 200)."""
    actor = actor_of(request)
    require(alert_policy, actor, Action.LIST)
    client = client_for_measures(actor=actor, client_id=filters.client) if filters.client is not None else None
    return list(open_alerts(actor=actor, client=client)[:ALERT_LIST_MAX])


@router.get("/alerts/{int:alert_id}", response={200: AlertOut, **ERRORS_READ}, summary="Read a risk alert")
def alert_get_api(request: HttpRequest, alert_id: Id) -> RiskAlert:
    return alert_get(actor=actor_of(request), alert_id=alert_id)


@router.post("/alerts/{int:alert_id}/close", response={200: AlertOut, **ERRORS_WRITE}, summary="Close a risk alert")
def alert_close_api(request: HttpRequest, alert_id: Id, payload: AlertCloseIn) -> RiskAlert:
    """With the risk assessment, the level it found and the action taken; nothing less closes it."""
    actor = actor_of(request)
    alert = alert_get(actor=actor, alert_id=alert_id)
    return risk_alert_close(actor=actor, alert=alert, **payload.model_dump())


@router.post(
    "/clients/{int:client_id}/alerts", response={201: AlertOut, **ERRORS_WRITE}, summary="Raise a risk concern"
)
@idempotent
def alert_raise_api(request: HttpRequest, client_id: Id, payload: ConcernIn) -> Status[RiskAlert]:
    """A clinician's own concern opens a risk alert, as a positive critical item does."""
    actor = actor_of(request)
    client = client_for_measures(actor=actor, client_id=client_id, action=Action.CREATE)
    return Status(201, risk_alert_open_concern(actor=actor, client=client, concern=payload.concern))
