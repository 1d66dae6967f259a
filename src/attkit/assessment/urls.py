"""Pages of risk assessment, mounted at /assessment/."""

from django.urls import path

from attkit.assessment import views

app_name = "assessment"

urlpatterns = [
    path("cases/<uuid:case_id>/", views.assessment, name="assessment"),
    path("cases/<uuid:case_id>/mitigations/", views.add_mitigation, name="add_mitigation"),
    path(
        "cases/<uuid:case_id>/mitigations/<uuid:mitigation_id>/remove/",
        views.remove_mitigation,
        name="remove_mitigation",
    ),
    path("cases/<uuid:case_id>/complete/", views.complete, name="complete"),
    path("cases/<uuid:case_id>/reopen/", views.reopen, name="reopen"),
]
