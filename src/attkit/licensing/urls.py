"""Pages of transfer licensing, mounted at /cases/."""

from django.urls import path

from attkit.licensing import views

app_name = "licensing"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("mine/", views.my_applications, name="my_applications"),
    path("new/", views.new_application, name="new_application"),
    path("shipments/", views.shipment_lookup, name="shipment_lookup"),
    path("denials/", views.denial_notices, name="denial_notices"),
    path("routing/", views.routing, name="routing"),
    path("routing/<uuid:rule_id>/delete/", views.routing_delete, name="routing_delete"),
    path("licence/verify/", views.licence_verify, name="licence_verify"),
    path("<uuid:pk>/", views.case_detail, name="case_detail"),
    path("<uuid:pk>/apply/", views.task_list, name="task_list"),
    path("<uuid:pk>/apply/about/", views.section_about, name="section_about"),
    path("<uuid:pk>/apply/parties/", views.section_parties, name="section_parties"),
    path("<uuid:pk>/apply/parties/<uuid:party_id>/remove/", views.remove_party, name="remove_party"),
    path("<uuid:pk>/apply/goods/", views.section_goods, name="section_goods"),
    path("<uuid:pk>/apply/goods/<uuid:line_id>/remove/", views.remove_goods, name="remove_goods"),
    path("<uuid:pk>/apply/euc/", views.section_euc, name="section_euc"),
    path("<uuid:pk>/apply/transit/", views.section_transit, name="section_transit"),
    path("<uuid:pk>/apply/documents/", views.section_documents, name="section_documents"),
    path("<uuid:pk>/apply/documents/<uuid:document_id>/remove/", views.remove_document, name="remove_document"),
    path("<uuid:pk>/apply/check/", views.check_answers, name="check_answers"),
    path("<uuid:pk>/documents/<uuid:document_id>/", views.download, name="download"),
    path("<uuid:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<uuid:pk>/respond/", views.respond, name="respond"),
    path("<uuid:pk>/request-information/", views.request_information, name="request_information"),
    path("<uuid:pk>/start-screening/", views.start_screening, name="start_screening"),
    path("<uuid:pk>/screening-clear/", views.screening_clear, name="screening_clear"),
    path("<uuid:pk>/hits/<uuid:hit_id>/review/", views.review_hit, name="review_hit"),
    path("<uuid:pk>/flags/<uuid:flag_id>/resolve/", views.resolve_flag, name="resolve_flag"),
    path("<uuid:pk>/advice/", views.advice, name="advice"),
    path("<uuid:pk>/decision/", views.propose, name="propose"),
    path("<uuid:pk>/countersign/", views.countersign, name="countersign"),
    path("<uuid:pk>/issue/", views.issue, name="issue"),
    path("<uuid:pk>/suspend/", views.suspend, name="suspend"),
    path("<uuid:pk>/reinstate/", views.reinstate, name="reinstate"),
    path("<uuid:pk>/revoke/", views.revoke, name="revoke"),
    path("<uuid:pk>/shipments/new/", views.shipment_new, name="shipment_new"),
    path("<uuid:pk>/denial-notice/", views.share_denial, name="share_denial"),
]
