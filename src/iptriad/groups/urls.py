from iptriad.groups.views import members, placeholders, sessions

# One module per part of group IPT owns its pages and its URL patterns.
urlpatterns = [
    *sessions.urlpatterns,
    *members.urlpatterns,
    *placeholders.urlpatterns,  # TEMPORARY: groups_detail until the group pages are merged
]
