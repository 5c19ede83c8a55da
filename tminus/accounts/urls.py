from django.contrib.auth import views as auth_views
from django.urls import path

from tminus.accounts import views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/lockouts/", views.lockout_list, name="lockout-list"),
    path("accounts/lockouts/unlock", views.lockout_clear, name="lockout-clear"),
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/new", views.account_create, name="account-create"),
    path("accounts/<int:user_id>/edit", views.account_edit, name="account-edit"),
    path("accounts/<int:user_id>/password", views.account_password_reset,
         name="account-password-reset"),
    path("accounts/tokens/", views.token_list, name="token-list"),
    path("accounts/tokens/new", views.token_create, name="token-create"),
    path("accounts/tokens/<int:token_id>/revoke", views.token_revoke, name="token-revoke"),
]
