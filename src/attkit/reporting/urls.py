"""Pages of records and reports, mounted at /reports/."""

from django.urls import path

from attkit.reporting import views
from attkit.reporting.models import ImportKind

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("charts/<slug:key>.svg", views.chart_svg, name="chart"),
    path("records/", views.records_list, name="records"),
    path("records/new/", views.record_new, name="record_new"),
    path("records/export/<str:fmt>/", views.records_export, name="records_export"),
    path("records/import/", views.import_upload, {"kind": ImportKind.RECORDS}, name="import"),
    path("records/<uuid:pk>/", views.record_detail, name="record"),
    path("records/<uuid:pk>/correct/", views.record_correct, name="record_correct"),
    path("records/<uuid:pk>/delete/", views.record_delete, name="record_delete"),
    path("imports/<uuid:pk>/", views.import_map, name="import_map"),
    path("retention/", views.retention, name="retention"),
    path("report/<slug:kind>/", views.report_page, name="report"),
    path("report/<slug:kind>/download/", views.report_download, name="report_download"),
    path("definitions/", views.definitions, name="definitions"),
    path("submissions/", views.submissions, name="submissions"),
    path("customs/", views.customs, name="customs"),
    path("customs/import/", views.import_upload, {"kind": ImportKind.CUSTOMS}, name="customs_import"),
]
