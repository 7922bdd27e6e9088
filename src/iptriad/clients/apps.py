from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "iptriad.clients"
    label = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        from iptriad.accounts.members import register_assigned_clients_counter
        from iptriad.clients.selectors import active_clients_assigned

        # Accounts sits below clients: its members page asks through this how many clients a member still has.
        register_assigned_clients_counter(self.label, active_clients_assigned)
