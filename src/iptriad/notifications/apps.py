from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "iptriad.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The worker finds the tasks by name: importing the module registers them with the Huey instance
        # (link_tasks: the scheduled links' periodic job); link_signals connects the receivers.
        from iptriad.clients.sections import client_record_sections
        from iptriad.notifications import checks, link_signals, link_tasks, tasks  # noqa: F401
        from iptriad.notifications.link_sections import client_messages_section
        from iptriad.web.sections import Section

        # The client's record page (clients, below) shows their clinicians the messages sent to the client.
        client_record_sections.register(
            Section("messages", "notifications/_client_messages.html", client_messages_section, order=40)
        )
