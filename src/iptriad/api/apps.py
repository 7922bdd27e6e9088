from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "iptriad.api"
    label = "api"
    verbose_name = "JSON API"
