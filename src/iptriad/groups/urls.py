from iptriad.groups.views import programme, sessions

# One module per part of group IPT owns its pages and its URL patterns.
urlpatterns = [
    *sessions.urlpatterns,
    *programme.urlpatterns,
]
