"""Root URL configuration: pages per app, the admin, the API and the probes."""

from __future__ import annotations

import importlib

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog

from attkit.core import views as core_views
from attkit.core.api import api
from attkit.seals import views as seals_views

handler400 = "attkit.core.errors.bad_request"
handler403 = "attkit.core.errors.permission_denied"
handler404 = "attkit.core.errors.page_not_found"
handler500 = "attkit.core.errors.server_error"

admin.site.site_header = "attkit"
admin.site.site_title = "attkit"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("attkit.core.urls")),
    path("accounts/", include("attkit.accounts.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("verify/", seals_views.verify, name="verify"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
]

# Each feature app may expose urls.py (with app_name); it is mounted at /<prefix>/.
PAGE_APPS = {
    "reference": "reference",
    "seals": "seals",
    "euc": "euc",
    "screening": "screening",
    "licensing": "cases",
    "assessment": "assessment",
    "reporting": "reports",
    "training": "training",
    "treaty": "treaty",
}
for _app, _prefix in PAGE_APPS.items():
    try:
        importlib.import_module(f"attkit.{_app}.urls")
    except ModuleNotFoundError as _exc:
        if _exc.name == f"attkit.{_app}.urls":
            continue
        raise
    urlpatterns.append(path(f"{_prefix}/", include(f"attkit.{_app}.urls")))
