"""Pages of end-user certificates, mounted at /euc/."""

from django.urls import path

from attkit.euc import views

app_name = "euc"

urlpatterns = [
    path("", views.certificate_list, name="list"),
    path("new/", views.start, name="start"),
    path("use/", views.use_lookup, name="use_lookup"),
    path("use/<uuid:pk>/", views.use_record, name="use_record"),
    path("uses/", views.uses, name="uses"),
    path("uses/<uuid:pk>/", views.use_done, name="use_done"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/draft/", views.draft, name="draft"),
    path("<uuid:pk>/draft/details/", views.draft_details, name="draft_details"),
    path("<uuid:pk>/draft/parties/", views.draft_parties, name="draft_parties"),
    path("<uuid:pk>/draft/parties/<uuid:party_pk>/remove/", views.remove_party, name="remove_party"),
    path("<uuid:pk>/draft/goods/", views.draft_goods, name="draft_goods"),
    path("<uuid:pk>/draft/goods/<uuid:line_pk>/remove/", views.remove_goods_line, name="remove_goods_line"),
    path("<uuid:pk>/draft/end-use/", views.draft_end_use, name="draft_end_use"),
    path("<uuid:pk>/draft/check/", views.draft_check, name="draft_check"),
    path("<uuid:pk>/issue/", views.issue, name="issue"),
    path("<uuid:pk>/revoke/", views.revoke, name="revoke"),
    path("<uuid:pk>/amend/", views.amend, name="amend"),
    path("<uuid:pk>/delivery/", views.delivery, name="delivery"),
    path("<uuid:pk>/certificate.pdf", views.certificate_pdf, name="pdf"),
    path("<uuid:pk>/delivery.pdf", views.delivery_pdf, name="delivery_pdf"),
]
