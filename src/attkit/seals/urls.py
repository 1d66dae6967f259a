"""URLs of the seals app, mounted at /seals/ (the root URLconf also maps /verify/ to the verification page)."""

from django.urls import path

from attkit.seals import views

app_name = "seals"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("keys/", views.keys, name="keys"),
    path("keys/rotate/", views.rotate, name="rotate"),
    path("keys/<uuid:pk>/revoke/", views.revoke_signer, name="revoke_signer"),
    path("trust-list/export/", views.export, name="export"),
    path("trust-lists/import/", views.import_list, name="import"),
]
