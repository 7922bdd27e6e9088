from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "iptriad.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The worker finds the tasks by name: importing the module registers them with the Huey instance.
        from iptriad.notifications import checks, link_signals, link_tasks, tasks  # noqa: F401  # noqa: F401 (receivers; the periodic job)
