"""Multi-factor authentication with django-otp: one TOTP device (an authenticator app) and recovery codes.

A user has MFA once their TOTP device is confirmed; a session is verified once it has passed a code
(`django_otp.login`). Recovery codes are a django-otp static device: each code works once. django-otp
throttles both: after a wrong code the next try must wait 1, 2, 4, ... seconds.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import qrcode  # type: ignore[import-untyped]
import qrcode.image.svg  # type: ignore[import-untyped]
from django.db import transaction
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken  # type: ignore[import-untyped]
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from iptriad.accounts.models import MFA_REQUIRED_ROLES, Membership, User
from iptriad.accounts.services import audit_auth_event
from iptriad.audit.models import AuditAction

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# Changing it makes every stored recovery code unusable (as does a new IPTRIAD_SECRET_KEY).
RECOVERY_CODE_HMAC_SALT = "iptriad.accounts.mfa.recovery-code"

ERROR_WRONG_CODE = "That code is not right. Check the app shows iptriad for this account and try the newest code."
ERROR_THROTTLED = "Too many wrong codes. Wait a few seconds, then try the newest code."


def mfa_required_for(membership: Membership | None) -> bool:
    """Whether this membership's organisation obliges this role to use MFA."""
    return (
        membership is not None
        and membership.organisation.mfa_required
        and membership.role in [role.value for role in MFA_REQUIRED_ROLES]
    )


def has_mfa(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def pending_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def devices_remove(user: User) -> None:
    """The authenticator app and the recovery codes, both gone: the user signs in as if never enrolled."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


@transaction.atomic
def enrolment_start(user: User) -> TOTPDevice:
    """A new, unconfirmed device with a fresh secret; any earlier unfinished enrolment is dropped."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def provisioning_svg(device: TOTPDevice) -> bytes:
    """The otpauth:// URL as a QR code: an SVG of one path with attributes only (our CSP forbids inline style)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The secret as authenticator apps expect it typed: base32, in groups of four."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    error: str = ""
    recovery_code_used: bool = False
    device: TOTPDevice | StaticDevice | None = None


def _normalised(code: str) -> str:
    return "".join(code.split()).lower()


def _throttled(device: TOTPDevice | StaticDevice) -> bool:
    allowed, _ = device.verify_is_allowed()
    return not allowed


@transaction.atomic
def enrolment_confirm(*, user: User, code: str, ip_address: str | None) -> tuple[CodeCheck, list[str]]:
    """Confirm the pending device with a code from the app; on success, issue the recovery codes."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        return CodeCheck(ok=False, error="Start again: the set-up has expired."), []
    if _throttled(device):
        return CodeCheck(ok=False, error=ERROR_THROTTLED), []
    if not device.verify_token(_normalised(code)):
        audit_auth_event(user=user, action=AuditAction.MFA_FAILED, ip_address=ip_address, detail={"step": "enrol"})
        return CodeCheck(ok=False, error=ERROR_WRONG_CODE), []
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _issue_recovery_codes(user)
    audit_auth_event(user=user, action=AuditAction.MFA_ENROLLED, ip_address=ip_address)
    return CodeCheck(ok=True, device=device), codes


def recovery_code_digest(user: User, code: str) -> str:
    """What is stored for a recovery code, never the code itself: a keyed hash (HMAC-SHA256 under the secret
    key, bound to the user), cut to the 16 characters of django-otp's token column. Keyed, because a code has
    only 40 bits: an unkeyed hash in a stolen copy of the database would be searched through in minutes."""
    return salted_hmac(RECOVERY_CODE_HMAC_SALT, f"{user.pk}:{code}", algorithm="sha256").hexdigest()[:16]


def _issue_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_code_digest(user, code)) for code in codes
    )
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User, ip_address: str | None) -> list[str]:
    """New recovery codes; the old ones stop working."""
    codes = _issue_recovery_codes(user)
    audit_auth_event(user=user, action=AuditAction.MFA_RECOVERY_REGENERATED, ip_address=ip_address)
    return codes


@transaction.atomic
def mfa_reset(*, user: User, ip_address: str | None, by_operator: bool = False) -> None:
    """Remove the authenticator and the recovery codes; where MFA is required the user must enrol again."""
    devices_remove(user)
    detail = {"by": "operator"} if by_operator else {"by": "self"}
    audit_auth_event(user=user, action=AuditAction.MFA_RESET, ip_address=ip_address, detail=detail)


@transaction.atomic
def code_check(*, user: User, code: str, ip_address: str | None, step: str) -> CodeCheck:
    """Check a 6-digit app code, or else a single-use recovery code; audited either way."""
    code = _normalised(code)
    totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if totp is None:
        return CodeCheck(ok=False, error="This account has no authenticator app set up.")
    if len(code) == 6 and code.isdigit():  # an app code; recovery codes are 8 letters and digits
        if _throttled(totp):
            return CodeCheck(ok=False, error=ERROR_THROTTLED)
        if totp.verify_token(code):
            audit_auth_event(user=user, action=AuditAction.MFA_VERIFIED, ip_address=ip_address, detail={"step": step})
            return CodeCheck(ok=True, device=totp)
    else:
        recovery = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if recovery is not None:
            if _throttled(recovery):
                return CodeCheck(ok=False, error=ERROR_THROTTLED)
            if recovery.verify_token(recovery_code_digest(user, code)):
                audit_auth_event(
                    user=user,
                    action=AuditAction.MFA_RECOVERY_USED,
                    ip_address=ip_address,
                    detail={"step": step, "left": recovery.token_set.count()},
                )
                return CodeCheck(ok=True, recovery_code_used=True, device=recovery)
    audit_auth_event(user=user, action=AuditAction.MFA_FAILED, ip_address=ip_address, detail={"step": step})
    return CodeCheck(ok=False, error=ERROR_WRONG_CODE)
