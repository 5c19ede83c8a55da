from django.urls import path

from tminus.core import inline_views

urlpatterns = [
    path("inline/<str:kind>/<int:pk>/<str:name>", inline_views.inline_field, name="inline-field"),
]
