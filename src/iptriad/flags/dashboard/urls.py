from iptriad.flags.dashboard.views import urlpatterns

__all__ = ["urlpatterns"]
