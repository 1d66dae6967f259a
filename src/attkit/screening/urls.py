"""Screening pages."""

from django.urls import path

from attkit.screening import views

app_name = "screening"

urlpatterns = [
    path("", views.search, name="search"),
    path("lists/", views.lists, name="lists"),
    path("lists/load/", views.load, name="load"),
    path("lists/<uuid:version_id>/", views.list_version, name="list_version"),
    path("hits/", views.hits, name="hits"),
    path("hits/<uuid:hit_id>/", views.hit, name="hit"),
]
