from django.urls import path

from tminus.releases import plan_views, views

urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("products/", views.product_list, name="product-list"),
    path("products/new", views.product_create, name="product-create"),
    path("releases/new", views.release_create, name="release-create"),
    path("releases/<str:key>/", views.release_detail, name="release-detail"),
    path("releases/<str:key>/edit", views.release_edit, name="release-edit"),
    path("releases/<str:key>/schedule", views.release_schedule, name="release-schedule"),
    path("releases/<str:key>/transition", views.release_transition, name="release-transition"),
    path("releases/<str:key>/recent", views.release_recent, name="release-recent"),
    path("releases/<str:key>/history", views.release_history, name="release-history"),
    path("releases/<str:key>/items/<int:item_id>/status", views.checklist_item_status,
         name="checklist-item-status"),
    path("releases/<str:key>/scope", views.scope_item_add, name="scope-item-add"),
    path("releases/<str:key>/scope/<int:item_id>/status", views.scope_item_status,
         name="scope-item-status"),
    path("releases/<str:key>/plan/<str:kind>/add", plan_views.plan_part_add, name="plan-part-add"),
    path("releases/<str:key>/plan/<str:kind>/<int:pk>/remove", plan_views.plan_part_remove,
         name="plan-part-remove"),
    path("releases/<str:key>/plan/<str:kind>/<int:pk>/move", plan_views.plan_part_move,
         name="plan-part-move"),
    path("releases/<str:key>/plan/undo/<str:block>", plan_views.plan_undo, name="plan-undo"),
    path("releases/<str:key>/plan/items/bulk", plan_views.plan_items_bulk,
         name="plan-items-bulk"),
]
