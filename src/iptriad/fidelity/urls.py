from iptriad.fidelity.views import urlpatterns

__all__ = ["urlpatterns"]
