"""Pages of treaty status, mounted at /treaty/."""

from django.urls import path

from attkit.treaty import views

app_name = "treaty"

urlpatterns = [
    path("", views.index, name="index"),
    path("states/<str:iso2>/", views.state, name="state"),
]
