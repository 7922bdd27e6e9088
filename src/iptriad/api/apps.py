from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "iptriad.api"
    label = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        from iptriad.api import signals  # noqa: F401  (connects the receivers)
