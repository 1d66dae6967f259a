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
    path("users/", views.users, name="users"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<uuid:user_id>/", views.user_edit, name="user_edit"),
    path("users/<uuid:user_id>/reset-2fa/", views.user_reset_2fa, name="user_reset_2fa"),
]
