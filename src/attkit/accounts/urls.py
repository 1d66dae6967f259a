"""URLs for login, two-factor steps, logout and API tokens."""

from django.contrib.auth import views as auth_views
from django.urls import path

from attkit.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/", views.two_factor_verify, name="2fa_verify"),
    path("2fa/setup/", views.two_factor_setup, name="2fa_setup"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<uuid:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
