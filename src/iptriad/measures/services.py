"""Recording measures, self-report links and risk alerts: each a named action, in a transaction, audited.

The safety rule: every positive critical answer opens a risk alert in the same transaction that stores the
answers, whatever the total and whatever else is missing, so a stored answer can never lack its alert. A client's
positive critical answer that reaches the server is never discarded: on an incomplete form or a link no longer
active it is kept on the link (never scored) with its alert, and one answer opens one alert however often it
arrives (docs/clinical-safety.md, "Self-report answers that carry risk"). A lifetime
item (PHQ-A item 13, "ever attempted") alerts once per treatment context: its later Yes there is history.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import User
from iptriad.accounts.permissions import Action
from iptriad.accounts.tokens import token_hash
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record, audit_record_without_member
from iptriad.clients.models import Client
from iptriad.clients.services import client_require_active
from iptriad.core.dates import life_date_error
from iptriad.core.instruments import AnswerError, Instrument, ScoreResult, UnknownInstrumentError, score
from iptriad.core.instruments.model import Item, ItemText, Respondent, Scoring
from iptriad.core.instruments.social_rhythm import score_social_rhythm
from iptriad.core.limits import too_long_errors
from iptriad.measures import contexts
from iptriad.measures.definitions import definition as instrument
from iptriad.measures.models import (
    SCORE_BASIS_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    Administration,
    AdministrationAnswer,
    AlertAction,
    AlertArrival,
    AlertSource,
    Mode,
    Occasion,
    RiskAlert,
    RiskLevel,
    SelfReportLink,
    SocialRhythmEntry,
    TreatmentContext,
)
from iptriad.measures.permissions import alert_policy, measure_policy
from iptriad.measures.signals import (
    LINK_CLOSED_ANSWERED,
    LINK_CLOSED_WITHDRAWN,
    risk_alert_acknowledged,
    risk_alert_opened,
    self_report_link_closed,
)

logger = logging.getLogger(__name__)

LINK_DAYS_DEFAULT = 7
LINK_DAYS_MAX = 30

ERROR_UNKNOWN_INSTRUMENT = "Choose an instrument from the list."
ERROR_TEXT_NOT_LOADED = (
    "The wording of the {name} is licensed separately and is not installed, so a client cannot answer it on a "
    "link; record it in session from the printed form instead."
)
ERROR_NOT_SELF_REPORT = "This instrument is rated by a clinician; it cannot be sent as a self-report link."
ERROR_LINK_DAYS = f"A link can stay open for 1 to {LINK_DAYS_MAX} days."
ERROR_ALERT_CLOSED = "This alert is already closed."
ERROR_ASSESSMENT_REQUIRED = "Describe the risk assessment: ideation, plan, intent, means, past attempts, protection."
ERROR_LEVEL_REQUIRED = "Choose the risk level the assessment found."
ERROR_ACTION_REQUIRED = "Choose the action taken."
ERROR_ACTION_DETAIL_REQUIRED = "Say what was done."
ERROR_CONCERN_REQUIRED = "Say what the concern is."
ERROR_CONTEXT_MISMATCH = "That course is not this client's open course."
ERROR_OCCASION_MISMATCH = "That session is not part of this client's course."


class LinkUnavailableError(Exception):
    """A self-report link that cannot be answered; `reason` is safe to show the person holding it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


LINK_NOT_FOUND = "This link is not valid. Check you copied all of it, or ask your therapist for a new one."
LINK_EXPIRED = "This link has expired. Ask your therapist for a new one."
LINK_USED = "This questionnaire has already been completed. Thank you."
LINK_REVOKED = "This link has been withdrawn. Ask your therapist for a new one."


def treatment_context_create(*, client: Client, kind: str) -> TreatmentContext:
    """The context a new course (or group membership) gives its measures in; called in the transaction opening it."""
    if kind not in {registered.kind for registered in contexts.registered()}:
        raise LookupError(f"No treatment context kind {kind!r} is registered.")
    return TreatmentContext.objects.create(organisation_id=client.organisation_id, client=client, kind=kind)


def occasion_create(*, context: TreatmentContext) -> Occasion:
    """The occasion a new session of the context is to measures; called in the transaction recording the session."""
    return Occasion.objects.create(organisation_id=context.organisation_id, context=context)


def _instrument(code: str) -> Instrument:
    try:
        return instrument(code)
    except UnknownInstrumentError:
        raise ValidationError({"instrument": ERROR_UNKNOWN_INSTRUMENT}) from None


def _require_client(actor: Actor, client: Client, action: Action) -> None:
    if not measure_policy.scope_clients(actor, action, Client.objects.filter(pk=client.pk)).exists():
        raise PermissionDenied("You may not record measures for this client.")


ARRIVAL_IN_SUMMARY = {
    AlertArrival.COMPLETE: "",
    AlertArrival.INCOMPLETE_SELF_REPORT: ", on an incomplete self-report",
    AlertArrival.INACTIVE_LINK: ", on a self-report link no longer active",
}


def _describe_critical(
    definition: Instrument, number: int, position: int | None, arrival: AlertArrival = AlertArrival.COMPLETE
) -> str:
    item = definition.item(number)
    answer = item.options[position].text if position is not None else None
    said = f" answered “{answer}”" if answer else " answered positively"
    return f"{definition.short_name} item {number}{said}{ARRIVAL_IN_SUMMARY[arrival]}"


def _critical_alert(
    *,
    definition: Instrument,
    client: Client,
    context: TreatmentContext | None,
    administration: Administration | None,
    link: SelfReportLink | None,
    number: int,
    position: int | None,
    arrival: AlertArrival,
    opened_at: dt.datetime,
) -> RiskAlert:
    alert = RiskAlert.objects.create(
        organisation_id=client.organisation_id,
        client=client,
        source=AlertSource.CRITICAL_ITEM,
        administration=administration,
        link=link,
        context=context,
        item_number=number,
        answer_position=position,
        arrival=arrival,
        summary=_describe_critical(definition, number, position, arrival),
        opened_at=opened_at,
    )
    _announce_opened(alert)
    return alert


def _announce_opened(alert: RiskAlert) -> None:
    """Tell the apps above (notifications queues the messages) inside the transaction that opens the alert.

    In a savepoint of its own: a receiver that fails rolls back only what the receivers wrote, never the alert or
    the client's answer; the notifications sweep sends what was missed (docs/clinical-safety.md)."""
    try:
        with transaction.atomic():
            risk_alert_opened.send(sender=RiskAlert, alert=alert)
    except Exception:  # a safety signal is never lost to a failing receiver: the alert stays
        logger.exception("A receiver of risk_alert_opened failed for alert %s; the alert is kept", alert.pk)


def _alerted_answers(link: SelfReportLink) -> dict[tuple[int | None, int | None], RiskAlert]:
    """The answers of this link that have opened an alert already, by (item, position): one alert per answer."""
    alerted = {(alert.item_number, alert.answer_position): alert for alert in link.risk_alerts.all()}
    if link.administration_id is not None:  # alerts stored before links remembered them
        answers = AdministrationAnswer.objects.filter(administration_id=link.administration_id)
        positions: dict[int | None, int | None] = dict(answers.values_list("item_number", "position"))
        for alert in RiskAlert.objects.filter(administration_id=link.administration_id, link__isnull=True):
            alerted.setdefault((alert.item_number, positions.get(alert.item_number)), alert)
    return alerted


def _context_and_occasion(
    client: Client, context: TreatmentContext | None, occasion: Occasion | None
) -> tuple[TreatmentContext | None, Occasion | None]:
    """Where a measure belongs: the given session and its context, else the client's open context if any (so it
    lands on that context's trajectory)."""
    if occasion is not None:
        context = context or occasion.context
        if occasion.context_id != context.pk or context.client_id != client.pk:
            raise ValidationError(ERROR_OCCASION_MISMATCH)
    if context is None:
        return contexts.open_context(client), None
    if context.client_id != client.pk or not contexts.is_open(context):
        raise ValidationError(ERROR_CONTEXT_MISMATCH)
    return context, occasion


def _already_alerted(
    definition: Instrument,
    client: Client,
    context: TreatmentContext | None,
    critical: Sequence[int],
) -> list[int]:
    """The positive lifetime items (PHQ-A item 13) whose alert this treatment context already opened: history now.

    Outside a treatment context there is no episode to count from, so every positive answer alerts."""
    lifetime = [number for number in critical if (rule := definition.item(number).critical) and rule.lifetime]
    if not lifetime or context is None:
        return []
    # Lock the context, so two answers arriving together cannot both miss each other's alert.
    list(TreatmentContext.objects.select_for_update().filter(pk=context.pk).values_list("pk"))
    # An alert may hang on an administration or, for answers kept from an incomplete form or an inactive link,
    # on the link alone.
    of_this_instrument = Q(administration__instrument_code=definition.code) | Q(
        administration__isnull=True, link__instrument_code=definition.code
    )
    alerted = set(
        RiskAlert.objects.filter(
            of_this_instrument,
            client=client,
            context=context,
            source=AlertSource.CRITICAL_ITEM,
            item_number__in=lifetime,
        ).values_list("item_number", flat=True)
    )
    return [number for number in lifetime if number in alerted]


def _store(
    *,
    definition: Instrument,
    client: Client,
    context: TreatmentContext | None,
    occasion: Occasion | None,
    answers: Sequence[int | None],
    result: ScoreResult,
    mode: Mode,
    recorded_by: User | None,
    completed_at: dt.datetime,
    link: SelfReportLink | None = None,
) -> tuple[Administration, list[RiskAlert]]:
    """The administration, its answers and an alert per positive critical answer; on a link, an answer that
    opened its alert already (on the incomplete form) joins the administration instead of opening a second one."""
    alerted = _alerted_answers(link) if link is not None else {}
    # An answer this link's incomplete form already alerted on joins below; it is not history of an earlier one.
    history = [
        number
        for number in _already_alerted(definition, client, context, result.critical)
        if (number, answers[number - 1]) not in alerted
    ]
    administration = Administration.objects.create(
        organisation_id=client.organisation_id,
        client=client,
        context=context,
        occasion=occasion,
        instrument_code=definition.code,
        instrument_version=definition.version,
        mode=mode,
        recorded_by=recorded_by,
        completed_at=completed_at,
        total=Decimal(str(result.total)) if result.total is not None else None,
        band=result.band or "",
        valid=result.valid,
        prorated=result.prorated,
        missing_items=list(result.missing),
        critical_items=list(result.critical),
        critical_history=history,
        critical_not_answered=list(result.critical_not_answered),
        subscales=dict(result.subscales),
        score_basis=result.basis[:SCORE_BASIS_MAX_LENGTH],
        invalid_reasons=list(result.reasons),
    )
    AdministrationAnswer.objects.bulk_create(
        AdministrationAnswer(
            organisation_id=client.organisation_id,
            administration=administration,
            item_number=item.number,
            position=position,
            score=Decimal(str(item_score)) if item_score is not None else None,
        )
        for item, position, item_score in zip(
            definition.items[: len(answers)], answers, result.item_scores, strict=True
        )
    )
    alerts = []
    for number in result.critical:
        if number in history:
            continue
        earlier = alerted.get((number, answers[number - 1]))
        if earlier is not None:
            RiskAlert.objects.filter(pk=earlier.pk, administration__isnull=True).update(administration=administration)
            continue
        alerts.append(
            _critical_alert(
                definition=definition,
                client=client,
                context=context,
                administration=administration,
                link=link,
                number=number,
                position=answers[number - 1],
                arrival=AlertArrival.COMPLETE,
                opened_at=completed_at,
            )
        )
    return administration, alerts


def _score(definition: Instrument, answers: Sequence[int | None]) -> ScoreResult:
    try:
        return score(definition, answers)
    except AnswerError as error:
        raise ValidationError(str(error)) from error


@transaction.atomic
def administration_record(
    *,
    actor: Actor,
    client: Client,
    code: str,
    answers: Sequence[int | None],
    context: TreatmentContext | None = None,
    occasion: Occasion | None = None,
) -> Administration:
    """A clinician records a measure in session (including clinician-rated scales such as HAM-D 17).

    It joins the given treatment context and session, or else the client's open context if there is one.
    """
    in_context = context or (occasion.context if occasion is not None else None)
    if in_context is None or in_context.client_id != client.pk or not contexts.may_record(actor, in_context):
        _require_client(actor, client, Action.CREATE)  # a group's facilitator records only in its sessions
    client_require_active(client)
    definition = _instrument(code)
    result = _score(definition, answers)
    context, occasion = _context_and_occasion(client, context, occasion)
    administration, alerts = _store(
        definition=definition,
        client=client,
        context=context,
        occasion=occasion,
        answers=answers,
        result=result,
        mode=Mode.IN_SESSION,
        recorded_by=actor.user,
        completed_at=timezone.now(),
    )
    audit_record(actor=actor, action=AuditAction.MEASURE_RECORDED, obj=administration, detail={"client": client.pk})
    for alert in alerts:
        audit_record(actor=actor, action=AuditAction.ALERT_OPENED, obj=alert, detail={"client": client.pk})
    return administration


def _self_report_definition(code: str) -> Instrument:
    """The instrument of a new link, if a client can answer it on a link."""
    definition = _instrument(code)
    if definition.respondent != Respondent.SELF:
        raise ValidationError({"instrument": ERROR_NOT_SELF_REPORT})
    if definition.item_text == ItemText.LOCAL:
        raise ValidationError({"instrument": ERROR_TEXT_NOT_LOADED.format(name=definition.short_name)})
    return definition


def self_report_answerable(code: str) -> bool:
    """Whether a client can answer this instrument on a link (self-rated, its wording installed)."""
    try:
        _self_report_definition(code)
    except ValidationError:
        return False
    return True


def _new_link(
    *, client: Client, context: TreatmentContext | None, code: str, created_by: User, valid_days: int
) -> tuple[SelfReportLink, str]:
    definition = _self_report_definition(code)
    if not 1 <= valid_days <= LINK_DAYS_MAX:
        raise ValidationError({"valid_days": ERROR_LINK_DAYS})
    client_require_active(client)  # under the client's row lock: archiving cannot slip in between
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = SelfReportLink.objects.create(
        organisation_id=client.organisation_id,
        client=client,
        context=context,
        instrument_code=definition.code,
        token_hash=token_hash(token),
        created_by=created_by,
        created_at=now,
        expires_at=now + dt.timedelta(days=valid_days),
    )
    return link, token


@transaction.atomic
def self_report_link_create(
    *, actor: Actor, client: Client, code: str, valid_days: int = LINK_DAYS_DEFAULT
) -> tuple[SelfReportLink, str]:
    """A new link and its token; the token is returned once and only its hash is kept."""
    _require_client(actor, client, Action.CREATE)
    _self_report_definition(code)
    if actor.user is None:
        raise PermissionDenied("A link is sent by a member, not from the command line.")
    link, token = _new_link(
        client=client, context=contexts.open_context(client), code=code, created_by=actor.user, valid_days=valid_days
    )
    audit_record(actor=actor, action=AuditAction.LINK_CREATED, obj=link, detail={"client": client.pk})
    return link, token


@transaction.atomic
def self_report_link_create_scheduled(
    *, client: Client, context: TreatmentContext, code: str, created_by: User, valid_days: int
) -> tuple[SelfReportLink, str]:
    """A link the schedule creates before a planned session of an open context. Nobody acts at that moment: its
    creator is the context's responsible clinician (a link is always some person's), and the audit event, with no
    member, says it was sent on schedule."""
    if context.client_id != client.pk or not contexts.is_open(context):
        raise ValidationError(ERROR_CONTEXT_MISMATCH)
    link, token = _new_link(client=client, context=context, code=code, created_by=created_by, valid_days=valid_days)
    audit_record_without_member(
        organisation=client.organisation,
        action=AuditAction.LINK_SCHEDULED,
        obj=link,
        ip_address=None,
        detail={"client": client.pk, "created_by": created_by.pk, "instrument": link.instrument_code},
    )
    return link, token


def self_report_link_lookup(token: str) -> SelfReportLink:
    """The link a token opens in whatever state it is, or LinkUnavailableError (never saying whose it was)."""
    link = (
        SelfReportLink.objects.select_related("organisation", "client", "context", "administration")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None:
        raise LinkUnavailableError(LINK_NOT_FOUND)
    return link


def self_report_link_inactive_reason(link: SelfReportLink) -> str | None:
    """Why a link not yet answered can no longer be answered (withdrawn, expired), else None."""
    if link.revoked_at is not None:
        return LINK_REVOKED
    if link.expires_at <= timezone.now():
        return LINK_EXPIRED
    return None


def self_report_link_for_token(token: str) -> SelfReportLink:
    """The link a token opens, or LinkUnavailableError saying why not (never which client it was for)."""
    link = self_report_link_lookup(token)
    if link.used_at is not None:
        raise LinkUnavailableError(LINK_USED)
    reason = self_report_link_inactive_reason(link)
    if reason is not None:
        raise LinkUnavailableError(reason)
    return link


def answer_required(item: Item) -> bool:
    """A client must answer every scored item and every critical one (PHQ-A 12 and 13 are critical but unscored)."""
    return item.scored or item.critical is not None


class SelfReportOutcome(StrEnum):
    COMPLETED = "completed"  # stored as one administration, by this post or an earlier one (a retry)
    INCOMPLETE = "incomplete"  # answers missing: the client is asked for them; a risk answer is kept already
    INACTIVE = "inactive"  # the link was withdrawn or expired: a risk answer is kept, nothing else


@dataclass(frozen=True)
class SelfReportReceipt:
    """What became of one post of a self-report form, for the page the client sees next."""

    link: SelfReportLink
    outcome: SelfReportOutcome
    critical: tuple[int, ...] = ()  # positive critical items to say back to the client, with the crisis contacts
    missing: tuple[int, ...] = ()  # items still to answer (INCOMPLETE)
    reason: str = ""  # why the link can no longer be answered (INACTIVE)
    administration: Administration | None = None  # COMPLETED


def _link_context(link: SelfReportLink) -> TreatmentContext | None:
    """The context the link was sent in while it is open, else the client's open one (a new course)."""
    if link.context is not None and contexts.is_open(link.context):
        return link.context
    return contexts.open_context(link.client)


def _keep_risk_answers(
    *,
    link: SelfReportLink,
    definition: Instrument,
    answers: Sequence[int | None],
    result: ScoreResult,
    arrival: AlertArrival,
    ip_address: str | None,
) -> None:
    """Answers that cannot become an administration but carry a positive critical answer: kept on the link as
    given (never scored), with an alert for each critical answer this link has not alerted on yet."""
    if not result.critical:
        return
    alerted = _alerted_answers(link)
    new = [number for number in result.critical if (number, answers[number - 1]) not in alerted]
    if link.administration_id is not None and not new:
        return  # a retry of the completed form: its answers are stored and alerted already
    now = timezone.now()
    link.held_answers = list(answers)
    link.held_at = now
    link.save(update_fields=["held_answers", "held_at"])
    audit_record_without_member(
        organisation=link.organisation,
        action=AuditAction.LINK_ANSWERS_KEPT,
        obj=link,
        ip_address=ip_address,
        detail={"client": link.client_id, "arrival": arrival.value},
    )
    context = _link_context(link)
    history = _already_alerted(definition, link.client, context, new)  # a lifetime Yes alerted earlier in the course
    for number in (number for number in new if number not in history):
        alert = _critical_alert(
            definition=definition,
            client=link.client,
            context=context,
            administration=None,
            link=link,
            number=number,
            position=answers[number - 1],
            arrival=arrival,
            opened_at=now,
        )
        audit_record_without_member(
            organisation=link.organisation, action=AuditAction.ALERT_OPENED, obj=alert, ip_address=ip_address
        )


def _stored_critical(link: SelfReportLink, result: ScoreResult) -> tuple[int, ...]:
    stored = link.administration.critical_items if link.administration is not None else []
    return tuple(sorted({*stored, *result.critical}))


@transaction.atomic
def self_report_receive(*, token: str, answers: Sequence[int | None], ip_address: str | None) -> SelfReportReceipt:
    """The client's answers, whatever the state of the form or the link; a positive critical answer is never lost.

    Complete answers on a usable link become one administration and the link is used up. Answers with some
    missing, or on a link withdrawn or expired, are not an administration; if they carry a positive critical
    answer they are kept on the link with its alert. A post to a link already answered (a retry) gets the first
    outcome again, never a second administration.
    """
    link = self_report_link_lookup(token)
    # One post of a link at a time: a retry racing its original waits, then finds the link answered.
    SelfReportLink.objects.select_for_update().filter(pk=link.pk).first()
    link.refresh_from_db(fields=["used_at", "revoked_at", "administration", "held_answers", "held_at"])
    definition = _instrument(link.instrument_code)
    result = _score(definition, answers)

    def keep_risk_answers(arrival: AlertArrival) -> None:
        _keep_risk_answers(
            link=link, definition=definition, answers=answers, result=result, arrival=arrival, ip_address=ip_address
        )

    if link.used_at is not None:
        keep_risk_answers(AlertArrival.INACTIVE_LINK)
        return SelfReportReceipt(
            link=link,
            outcome=SelfReportOutcome.COMPLETED,
            critical=_stored_critical(link, result),
            administration=link.administration,
        )
    reason = self_report_link_inactive_reason(link)
    if reason is not None:
        keep_risk_answers(AlertArrival.INACTIVE_LINK)
        return SelfReportReceipt(link=link, outcome=SelfReportOutcome.INACTIVE, critical=result.critical, reason=reason)
    given = list(answers) + [None] * (len(definition.items) - len(answers))
    missing = tuple(
        item.number
        for item, answer in zip(definition.items, given, strict=True)
        if answer_required(item) and answer is None
    )
    if missing:
        keep_risk_answers(AlertArrival.INCOMPLETE_SELF_REPORT)
        return SelfReportReceipt(
            link=link, outcome=SelfReportOutcome.INCOMPLETE, critical=result.critical, missing=missing
        )
    now = timezone.now()
    administration, alerts = _store(
        definition=definition,
        client=link.client,
        context=_link_context(link),
        occasion=None,
        answers=answers,
        result=result,
        mode=Mode.SELF_REPORT,
        recorded_by=None,
        completed_at=now,
        link=link,
    )
    # The held answers are in the administration now; the link is used up.
    SelfReportLink.objects.filter(pk=link.pk).update(
        used_at=now, administration=administration, held_answers=[], held_at=None
    )
    link.refresh_from_db()
    audit_record_without_member(
        organisation=link.organisation, action=AuditAction.LINK_SUBMITTED, obj=administration, ip_address=ip_address
    )
    self_report_link_closed.send(sender=SelfReportLink, link=link, reason=LINK_CLOSED_ANSWERED)
    for alert in alerts:
        audit_record_without_member(
            organisation=link.organisation, action=AuditAction.ALERT_OPENED, obj=alert, ip_address=ip_address
        )
    return SelfReportReceipt(
        link=link,
        outcome=SelfReportOutcome.COMPLETED,
        critical=tuple(administration.critical_items),
        administration=administration,
    )


def self_report_link_critical(link: SelfReportLink) -> tuple[int, ...]:
    """The positive critical items a link's answers carried (stored or kept), to say back to a client who returns."""
    stored = link.administration.critical_items if link.administration is not None else []
    kept = link.risk_alerts.filter(item_number__isnull=False).values_list("item_number", flat=True)
    return tuple(sorted({*stored, *kept}))


@transaction.atomic
def self_report_link_revoke(*, actor: Actor, link: SelfReportLink) -> SelfReportLink:
    _require_client(actor, link.client, Action.UPDATE)
    if link.used_at is None and link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditAction.LINK_REVOKED, obj=link)
        self_report_link_closed.send(sender=SelfReportLink, link=link, reason=LINK_CLOSED_WITHDRAWN)
    return link


@transaction.atomic
def risk_alert_open_concern(
    *,
    actor: Actor,
    client: Client,
    concern: str,
    context: TreatmentContext | None = None,
    occasion: Occasion | None = None,
) -> RiskAlert:
    """A clinician's own concern opens an alert just as a positive critical item does.

    It arose in the given context (and session, when a session's risk check raised it), else in the client's open
    context if there is one.
    """
    in_context = context or (occasion.context if occasion is not None else None)
    recording_in_context = (
        in_context is not None and in_context.client_id == client.pk and contexts.may_record(actor, in_context)
    )
    if (
        not recording_in_context
        and not alert_policy.scope_clients(actor, Action.CREATE, Client.objects.filter(pk=client.pk)).exists()
    ):
        raise PermissionDenied("You may not raise an alert for this client.")
    client_require_active(client)
    concern = concern.strip()
    if not concern:
        raise ValidationError({"concern": ERROR_CONCERN_REQUIRED})
    if errors := too_long_errors({"concern": concern}, {"concern": SUMMARY_MAX_LENGTH}):
        raise ValidationError(errors)  # refused, never cut: the clinician decides what the alert says
    if occasion is not None and context is None:
        context = occasion.context
    if context is not None and context.client_id != client.pk:
        context = None  # another client's course never carries this client's alert
    if occasion is not None and (context is None or occasion.context_id != context.pk):
        occasion = None
    context = context or contexts.open_context(client)
    alert = RiskAlert.objects.create(
        organisation_id=client.organisation_id,
        client=client,
        source=AlertSource.CLINICIAN_CONCERN,
        context=context,
        occasion=occasion,
        summary=concern,
        opened_by=actor.user,
    )
    audit_record(actor=actor, action=AuditAction.ALERT_OPENED, obj=alert, detail={"client": client.pk})
    _announce_opened(alert)
    return alert


def _acknowledge(actor: Actor, alert: RiskAlert, now: dt.datetime, how: str) -> bool:
    """Set once, by one conditional update, so two clinicians opening the page together record one acknowledgement."""
    if actor.user is None:
        return False
    acknowledged = RiskAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True, closed_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor.user
    )
    if not acknowledged:
        return False
    alert.acknowledged_at, alert.acknowledged_by = now, actor.user
    # The conditional update above sends no post_save: tell the apps above (the not-on-track flags) explicitly.
    risk_alert_acknowledged.send(sender=RiskAlert, alert=alert)
    audit_record(
        actor=actor, action=AuditAction.ALERT_ACKNOWLEDGED, obj=alert, detail={"client": alert.client_id, "by": how}
    )
    return True


@transaction.atomic
def risk_alert_acknowledge(*, actor: Actor, alert: RiskAlert) -> bool:
    """A member who may act on the open alert has opened its page: it stops escalating. True the first time only;
    a member who may only read it, or a later visit, changes nothing."""
    if alert.acknowledged_at is not None or alert.closed_at is not None:
        return False
    if not alert_policy.scope(actor, Action.UPDATE, RiskAlert.objects.filter(pk=alert.pk)).exists():
        return False
    return _acknowledge(actor, alert, timezone.now(), "page")


@transaction.atomic
def risk_alert_close(
    *, actor: Actor, alert: RiskAlert, risk_level: str, assessment: str, action: str, action_detail: str
) -> RiskAlert:
    """Close an alert with the assessment and the action taken; nothing less closes it."""
    if not alert_policy.scope(actor, Action.UPDATE, RiskAlert.objects.filter(pk=alert.pk)).exists():
        raise PermissionDenied("You may not close this alert.")
    locked = RiskAlert.objects.select_for_update().get(pk=alert.pk)
    if locked.closed_at is not None:
        raise ValidationError(ERROR_ALERT_CLOSED)
    errors: dict[str, str] = {}
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = ERROR_LEVEL_REQUIRED
    if not assessment.strip():
        errors["assessment"] = ERROR_ASSESSMENT_REQUIRED
    if action not in AlertAction.values:
        errors["action"] = ERROR_ACTION_REQUIRED
    if action == AlertAction.OTHER and not action_detail.strip():
        errors["action_detail"] = ERROR_ACTION_DETAIL_REQUIRED
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if locked.acknowledged_at is None:  # closing it is acknowledging it, if nobody opened its page first
        _acknowledge(actor, locked, now, "close")
    locked.risk_level = risk_level
    locked.assessment = assessment.strip()
    locked.action = action
    locked.action_detail = action_detail.strip()
    locked.closed_at = now
    locked.closed_by = actor.user
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.ALERT_CLOSED,
        obj=locked,
        detail={"client": locked.client_id, "risk_level": risk_level, "action": action},
    )
    return locked


ERROR_WEEK_IN_FUTURE = "The diary week cannot end in the future."
ERROR_NOT_A_DIARY = "This instrument is not a weekly diary."


@transaction.atomic
def social_rhythm_record(
    *, actor: Actor, client: Client, week_start: dt.date, week: Sequence[Sequence[int | None]]
) -> Administration:
    """A week of the SRM-5 diary: the times kept cell by cell, the SRM score and activity level computed here."""
    _require_client(actor, client, Action.CREATE)
    client_require_active(client)
    definition = _instrument("srm5")
    if definition.scoring != Scoring.SOCIAL_RHYTHM:
        raise ValidationError(ERROR_NOT_A_DIARY)
    if week_start + dt.timedelta(days=6) > timezone.localdate():
        raise ValidationError({"week_start": ERROR_WEEK_IN_FUTURE})
    if message := life_date_error(week_start, today=timezone.localdate(), born_on=client.date_of_birth):
        raise ValidationError({"week_start": message})
    try:
        result = score_social_rhythm(definition, week)
    except AnswerError as error:
        raise ValidationError(str(error)) from error
    administration = Administration.objects.create(
        organisation_id=client.organisation_id,
        client=client,
        context=contexts.open_context(client),
        instrument_code=definition.code,
        instrument_version=definition.version,
        mode=Mode.IN_SESSION,
        recorded_by=actor.user,
        completed_at=timezone.now(),
        total=Decimal(str(result.score)) if result.score is not None else None,
        valid=result.valid,
        subscales={"activity_level_index": result.activity_level_index},
    )
    SocialRhythmEntry.objects.bulk_create(
        SocialRhythmEntry(
            organisation_id=client.organisation_id,
            administration=administration,
            day=week_start + dt.timedelta(days=day),
            activity=activity + 1,
            minutes=minutes,
        )
        for day, times in enumerate(week)
        for activity, minutes in enumerate(times)
    )
    audit_record(actor=actor, action=AuditAction.MEASURE_RECORDED, obj=administration, detail={"client": client.pk})
    return administration
