from iptriad.courses.views import course, ending, focus, initial, measures, sessions

# One module per part of the course owns its pages and its URL patterns.
urlpatterns = [
    *course.urlpatterns,
    *initial.urlpatterns,
    *focus.urlpatterns,
    *sessions.urlpatterns,
    *ending.urlpatterns,
    *measures.urlpatterns,
]
