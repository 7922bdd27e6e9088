from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "iptriad.groups"
    label = "groups"
    verbose_name = "Group IPT"

    def ready(self) -> None:
        # A group membership is a treatment context of measures, which sits below groups and cannot import it.
        from iptriad.groups import client_sections, signals  # noqa: F401  (signals connects the receivers)
        from iptriad.groups.contexts import GroupContexts
        from iptriad.measures import contexts

        contexts.register(GroupContexts())
        client_sections.register()
        client_sections.register_alert_section()
