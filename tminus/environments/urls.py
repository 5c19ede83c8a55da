from django.urls import path

from tminus.environments import views

urlpatterns = [
    path("environments/", views.overview, name="environments-overview"),
    path("products/<str:key>/environments/", views.product_environments,
         name="environments-product"),
    path("products/<str:key>/environments/version", views.version_set,
         name="environments-version-set"),
    path("products/<str:key>/environments/new", views.environment_create,
         name="environments-create"),
    path("products/<str:key>/environments/defaults", views.defaults_ensure,
         name="environments-defaults"),
]
