from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "iptriad.accounts"
    label = "accounts"
    verbose_name = "Organisations and users"

    def ready(self) -> None:
        from iptriad.accounts import signals  # noqa: F401  (connects the receivers)

        # The worker finds tasks by name: importing these modules registers the account mail and reset tasks.
        from iptriad.accounts import mail, password_reset  # noqa: F401
