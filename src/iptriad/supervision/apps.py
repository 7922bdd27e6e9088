from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "iptriad.supervision"
    label = "supervision"
    verbose_name = "Supervision log"

    def ready(self) -> None:
        # The course page and a group member's page belong to apps below this one: they render what is registered.
        from iptriad.supervision import page_sections

        page_sections.register()
