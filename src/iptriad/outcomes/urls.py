from iptriad.outcomes.views import urlpatterns

__all__ = ["urlpatterns"]
