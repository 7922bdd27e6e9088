from django.apps import AppConfig


class FlagsConfig(AppConfig):
    name = "iptriad.flags"
    label = "flags"
    verbose_name = "Not-on-track flags"

    def ready(self) -> None:
        # The flags are computed when an input changes (signals), rechecked daily (tasks, registered with the worker by
        # importing it), and shown on pages of the apps below (sections), which cannot import this app.
        from iptriad.flags import context_sections, signals, tasks  # noqa: F401

        signals.connect()
        context_sections.register()
