from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "iptriad.home"
    label = "home"
    verbose_name = "Home pages"
