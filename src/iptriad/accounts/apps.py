from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "iptriad.accounts"
    label = "accounts"
    verbose_name = "Organisations and users"

    def ready(self) -> None:
        # signals connects the receivers; the worker finds tasks by name, so importing mail and password_reset
        # registers the account mail and reset tasks.
        from iptriad.accounts import mail, password_reset, signals  # noqa: F401
