from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "iptriad.demo"
    label = "demo"
    verbose_name = "Demonstration data"
