from iptriad.competency.views import urlpatterns

__all__ = ["urlpatterns"]
