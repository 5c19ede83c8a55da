from django.urls import path

from tminus.documents import views

urlpatterns = [
    path("releases/<str:key>/documents/", views.documents, name="documents-list"),
    path("releases/<str:key>/documents/new", views.document_add, name="documents-add"),
    path("releases/<str:key>/documents/<int:document_id>/edit", views.document_edit,
         name="documents-edit"),
    path("releases/<str:key>/documents/<int:document_id>/status", views.document_status,
         name="documents-status"),
    path("releases/<str:key>/links/new", views.link_add, name="documents-link-add"),
    path("releases/<str:key>/links/<int:link_id>", views.link_set, name="documents-link-set"),
]
