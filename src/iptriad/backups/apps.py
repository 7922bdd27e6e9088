from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "iptriad.backups"
    label = "backups"
    verbose_name = "Backups"
