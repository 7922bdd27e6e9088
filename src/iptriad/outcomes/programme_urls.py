from iptriad.outcomes.programme_views import urlpatterns

__all__ = ["urlpatterns"]
