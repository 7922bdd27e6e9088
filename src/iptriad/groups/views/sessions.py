"""A group session's roster page: attendance, symptom checks, risk flags and notes for every member, on a phone."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
