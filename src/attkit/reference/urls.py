"""Reference pages, mounted at /reference/."""

from django.urls import path

from attkit.reference import views

app_name = "reference"

urlpatterns = [
    path("", views.index, name="index"),
    path("countries/", views.countries, name="countries"),
    path("categories/", views.categories, name="categories"),
    path("hs/", views.hs_codes, name="hs"),
    path("embargoes/", views.embargoes, name="embargoes"),
    path("embargoes/<slug:key>/", views.embargo_detail, name="embargo"),
]
