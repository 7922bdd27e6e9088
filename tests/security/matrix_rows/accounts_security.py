"""Rows for the signed-in user's own account: the MFA step and set-up, re-authentication, password, e-mail,
mobile number.

These pages are about the person, not an organisation: every role gets the same answer. `logged_in` gives a
session that has passed MFA and just typed the password, so the MFA steps send it on and changes are allowed.
"""

from tests.security.matrix_rows.base import EVERYONE_OK, Row, statuses

EVERYONE_REDIRECTED = statuses(302, 302, 302, 302)

ROWS = {
    "mfa-verify": Row("get", EVERYONE_REDIRECTED),  # already verified: on to the page asked for
    "mfa-enrol": Row("get", EVERYONE_REDIRECTED),  # already set up: to the account page
    "mfa-qr": Row("get", statuses(404, 404, 404, 404)),  # no set-up in progress
    "account": Row("get", EVERYONE_OK),
    "account-reauth": Row("get", EVERYONE_OK),
    "account-password": Row("get", EVERYONE_OK),
    "account-email": Row("get", EVERYONE_OK),
    "account-email-confirm": Row("get", statuses(404, 404, 404, 404)),  # no link: nothing to confirm
    "account-mobile": Row("get", EVERYONE_OK),
    "mfa-recovery-codes": Row("post", EVERYONE_OK),  # shows the new codes once
    "mfa-reset": Row("post", EVERYONE_REDIRECTED),
    "account-sessions": Row("get", EVERYONE_OK),
    "account-session-end": Row("post", EVERYONE_REDIRECTED),  # no session named: nothing ended, and it says so
    "account-sessions-end": Row("post", EVERYONE_REDIRECTED),
}
