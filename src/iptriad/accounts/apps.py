from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "iptriad.accounts"
    label = "accounts"
    verbose_name = "Organisations and users"

    def ready(self) -> None:
        from iptriad.accounts import signals  # noqa: F401  (connects the receivers)
