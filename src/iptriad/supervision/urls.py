from iptriad.supervision.views import urlpatterns

__all__ = ["urlpatterns"]
