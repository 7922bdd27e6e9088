from django.urls import include, path

from iptriad.home import views as home_views
from iptriad.web import views as web_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("health/", web_views.health, name="health"),
    path("", include("iptriad.accounts.urls")),
    path("clients/", include("iptriad.clients.urls")),
    path("", include("iptriad.measures.urls")),
    path("", include("iptriad.courses.urls")),
    path("groups/", include("iptriad.groups.urls")),
    path("supervision/dashboard/", include("iptriad.flags.dashboard.urls")),
    path("supervision/", include("iptriad.supervision.urls")),
    path("fidelity/", include("iptriad.fidelity.urls")),
    path("competency/", include("iptriad.competency.urls")),
    path("outcomes/programmes/", include("iptriad.outcomes.programme_urls")),
    path("outcomes/", include("iptriad.outcomes.urls")),
    path("api/v1/", include("iptriad.api.urls")),
    path("clients/", include("iptriad.datarights.urls")),
    path("", include("iptriad.notifications.urls")),
    path("", include("iptriad.notifications.link_views")),
]
