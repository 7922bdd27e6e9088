from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "iptriad.accounts"
    label = "accounts"
    verbose_name = "Organisations and users"
