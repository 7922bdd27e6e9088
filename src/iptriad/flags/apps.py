from django.apps import AppConfig


class FlagsConfig(AppConfig):
    name = "iptriad.flags"
    label = "flags"
    verbose_name = "Not-on-track flags"
