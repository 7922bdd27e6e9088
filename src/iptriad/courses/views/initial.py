"""Pages for the initial part of a course."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
