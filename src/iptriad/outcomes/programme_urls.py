"""The programme lead's pages, under /outcomes/programmes/ (the organisation's outcome pages have their own)."""

from django.urls import path

from iptriad.outcomes import programme_views

urlpatterns = [
    path("", programme_views.programme_list_page, name="programme-list"),
    path("<slug:slug>/", programme_views.programme_page, name="programme-outcomes"),
    path("<slug:slug>/aggregates.csv", programme_views.programme_aggregates_csv, name="programme-outcomes-csv"),
]
