from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "iptriad.web"
    label = "web"
    verbose_name = "Pages"

    def ready(self) -> None:
        # The worker finds the tasks by name: importing the module registers the nightly statistics job.
        from iptriad.web import tasks  # noqa: F401
