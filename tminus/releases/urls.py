from django.urls import path

from tminus.releases import views

urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("filters/save", views.saved_filter_save, name="saved-filter-save"),
    path("filters/<int:pk>/delete", views.saved_filter_delete, name="saved-filter-delete"),
    path("products/", views.product_list, name="product-list"),
    path("products/new", views.product_create, name="product-create"),
    path("products/<str:key>/calendar", views.product_calendar, name="product-calendar"),
    path("products/<str:key>/calendar/week", views.product_working_week,
         name="product-working-week"),
    path("products/<str:key>/calendar/holidays", views.product_holiday_add,
         name="product-holiday-add"),
    path("products/<str:key>/calendar/holidays/import", views.product_holidays_import,
         name="product-holidays-import"),
    path("products/<str:key>/calendar/holidays/<int:holiday_id>/remove",
         views.product_holiday_remove, name="product-holiday-remove"),
    path("releases/new", views.release_create, name="release-create"),
    path("releases/<str:key>/", views.release_detail, name="release-detail"),
    path("releases/<str:key>/edit", views.release_edit, name="release-edit"),
    path("releases/<str:key>/schedule", views.release_schedule, name="release-schedule"),
    path("releases/<str:key>/transition", views.release_transition, name="release-transition"),
    path("releases/<str:key>/history", views.release_history, name="release-history"),
    path("releases/<str:key>/items/<int:item_id>/status", views.checklist_item_status,
         name="checklist-item-status"),
    path("releases/<str:key>/scope", views.scope_item_add, name="scope-item-add"),
    path("releases/<str:key>/scope/<int:item_id>/status", views.scope_item_status,
         name="scope-item-status"),
]
