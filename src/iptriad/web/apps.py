from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "iptriad.web"
    label = "web"
    verbose_name = "Pages"
