"""Pages of the course, mounted at /training/."""

from django.urls import path

from attkit.training import views

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
    path("modules/<str:module_id>/", views.module, name="module"),
    path("modules/<str:module_id>/quiz/", views.start_quiz, name="start_quiz"),
    path("modules/<str:module_id>/lessons/<str:lesson_id>/", views.lesson, name="lesson"),
    path("modules/<str:module_id>/lessons/<str:lesson_id>/read/", views.mark_read, name="mark_read"),
    path("attempts/<uuid:pk>/", views.attempt, name="attempt"),
    path("simulation/", views.simulation, name="simulation"),
    path("simulation/cases/<str:case_id>/start/", views.start_case, name="start_case"),
    path("simulation/<uuid:pk>/", views.run_view, name="run"),
    path("simulation/<uuid:pk>/decision/", views.decide, name="decide"),
    path("simulation/<uuid:pk>/score/", views.score, name="score"),
    path("certificate/", views.certificate, name="certificate"),
    path("certificates/<uuid:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<uuid:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<uuid:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("cohorts/", views.cohorts, name="cohorts"),
    path("cohorts/new/", views.cohort_new, name="cohort_new"),
    path("cohorts/<uuid:pk>/", views.cohort, name="cohort"),
    path("cohorts/<uuid:pk>/results.csv", views.cohort_csv, name="cohort_csv"),
    path("enrolments/<uuid:pk>/remove/", views.unenrol, name="unenrol"),
    path("reviews/<uuid:pk>/", views.review, name="review"),
]
