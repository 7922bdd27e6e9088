from django.urls import path

from iptriad.accounts import account_views, audit_views, member_views, reset_views, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_action, name="logout"),
    path("login/forgotten/", reset_views.password_reset_page, name="password-reset"),
    path("login/reset/", reset_views.password_reset_confirm_page, name="password-reset-confirm"),
    path("organisation/switch/", views.organisation_switch_action, name="organisation-switch"),
    path("organisation/settings/", views.organisation_settings_page, name="organisation-settings"),
    path("organisation/members/", member_views.members_page, name="organisation-members"),
    path(
        "organisation/members/<int:membership_id>/deactivate/",
        member_views.member_deactivate_action,
        name="member-deactivate",
    ),
    path(
        "organisation/members/<int:membership_id>/reactivate/",
        member_views.member_reactivate_action,
        name="member-reactivate",
    ),
    path(
        "organisation/members/<int:membership_id>/end-sessions/",
        member_views.member_sessions_end_action,
        name="member-sessions-end",
    ),
    path(
        "organisation/members/<int:membership_id>/remove-authenticator/",
        member_views.member_mfa_reset_action,
        name="member-mfa-reset",
    ),
    path("mfa/verify/", account_views.mfa_verify_page, name="mfa-verify"),
    path("mfa/enrol/", account_views.mfa_enrol_page, name="mfa-enrol"),
    path("mfa/enrol/qr.svg", account_views.mfa_qr_image, name="mfa-qr"),
    path("account/", account_views.account_page, name="account"),
    path("account/confirm/", account_views.reauthenticate_page, name="account-reauth"),
    path("account/password/", account_views.password_change_page, name="account-password"),
    path("account/email/", account_views.email_change_page, name="account-email"),
    path("account/sessions/", account_views.signed_in_sessions_page, name="account-sessions"),
    path("account/sessions/end/", account_views.signed_in_session_end_action, name="account-session-end"),
    path("account/sessions/end-others/", account_views.signed_in_sessions_end_action, name="account-sessions-end"),
    path("account/email/confirm/", account_views.email_change_confirm_page, name="account-email-confirm"),
    path("account/mobile/", account_views.mobile_phone_page, name="account-mobile"),
    path("account/mfa/recovery-codes/", account_views.recovery_codes_regenerate_action, name="mfa-recovery-codes"),
    path("account/mfa/reset/", account_views.mfa_reset_action, name="mfa-reset"),
    path("audit/", audit_views.audit_list_page, name="audit-list"),
    path("audit/verify/", audit_views.audit_verify_page, name="audit-verify"),
]
