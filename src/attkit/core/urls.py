"""URLs of the core app: home, audit log."""

from django.urls import path

from attkit.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit"),
]
