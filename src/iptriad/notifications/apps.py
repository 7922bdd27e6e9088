from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "iptriad.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        self._links_on_schedule()
        self._alerts_reach_a_person()

    def _links_on_schedule(self) -> None:
        """Self-report links sent before each planned session, their reminders, and the client's message log."""
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

    def _alerts_reach_a_person(self) -> None:
        """Risk alerts (measures, below): tell the clinicians when one opens, show who was told on its page, and
        tell the client who will see a risk answer (docs/decisions/0030-alert-escalation.md)."""
        from iptriad.measures import notices
        from iptriad.measures.models import RiskAlert
        from iptriad.measures.sections import alert_sections
        from iptriad.measures.signals import risk_alert_opened
        from iptriad.notifications import alert_tasks  # noqa: F401 (registers the escalation job)
        from iptriad.notifications.alerts import alert_notice, alert_opened, who_was_told
        from iptriad.web.sections import Section

        risk_alert_opened.connect(alert_opened, sender=RiskAlert, dispatch_uid="iptriad_notifications_alert_opened")
        alert_sections.register(
            Section("who_was_told", "notifications/_alert_who_was_told.html", who_was_told, order=10)
        )
        notices.register(alert_notice)
