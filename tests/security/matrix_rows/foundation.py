"""Rows for the foundation: pages, login, organisations, clients, audit."""

from tests.security.matrix_rows.base import EVERYONE_OK, Row, statuses

CLIENT_PAGES = statuses(200, 200, 200, 403)
CLIENT_OBJECT = statuses(200, 200, 200, 404)  # to a facilitator, client records do not exist
CLIENT_ACTION = statuses(302, 302, 302, 404)
ADMIN_ONLY = statuses(200, 403, 403, 403)

ROWS = {
    "home": Row("get", EVERYONE_OK),
    "health": Row("get", EVERYONE_OK, anonymous=200),
    "login": Row("get", statuses(302, 302, 302, 302), anonymous=200),  # members are sent on to the home page
    "logout": Row("post", statuses(302, 302, 302, 302)),
    # A forgotten password: public pages about no organisation, the same for everyone, signed in or not.
    "password-reset": Row("get", EVERYONE_OK, anonymous=200, public=True),
    "password-reset-confirm": Row("get", statuses(404, 404, 404, 404), anonymous=404, public=True),  # no link
    "organisation-switch": Row("post", statuses(302, 302, 302, 302), form={"organisation": "{org_b}"}),
    "organisation-settings": Row("get", ADMIN_ONLY),
    "client-list": Row("get", CLIENT_PAGES),
    "client-create": Row("get", CLIENT_PAGES),
    "client-detail": Row("get", CLIENT_OBJECT, target="client"),
    "client-edit": Row("get", CLIENT_OBJECT, target="client"),
    "client-archive": Row("post", CLIENT_ACTION, target="client"),
    "client-reactivate": Row("post", CLIENT_ACTION, target="client"),
    "audit-list": Row("get", ADMIN_ONLY),
    "notification-settings": Row("get", ADMIN_ONLY),
    "message-log": Row("get", ADMIN_ONLY),
    # Counts of scheduled links: administrators and supervisors for the organisation, a therapist for their clients.
    "message-response": Row("get", statuses(200, 200, 200, 403)),
    # The client's stop link: no login, the same answer for everyone (a confirmation page).
    "messages-stop": Row("get", EVERYONE_OK, target="stop_token", anonymous=200, public=True),
    # The SMS gateway's webhook: without Twilio's signature (and with no gateway set) it is refused for everyone.
    "sms-inbound": Row("post", statuses(403, 403, 403, 403), anonymous=403, public=True),
}
