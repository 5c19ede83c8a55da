from django.urls import path

from tminus.roadmap import views

urlpatterns = [
    path("roadmap/", views.roadmap_index, name="roadmap-index"),
    path("roadmap/<str:product>/", views.roadmap_product, name="roadmap-product"),
    path("roadmap/<str:product>/cadence", views.cadence_set, name="roadmap-cadence"),
    path("roadmap/<str:product>/releases", views.release_create, name="roadmap-release-create"),
    path("roadmap/<str:product>/features", views.feature_add, name="roadmap-feature-add"),
    path("roadmap/<str:product>/features/<int:feature_id>/", views.feature_detail,
         name="roadmap-feature"),
    path("roadmap/<str:product>/features/<int:feature_id>/status", views.feature_status,
         name="roadmap-feature-status"),
    path("roadmap/<str:product>/features/<int:feature_id>/move", views.feature_move,
         name="roadmap-feature-move"),
]
