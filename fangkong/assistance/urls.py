from django.urls import path

from fangkong.assistance import views

app_name = "assistance"

urlpatterns = [
    path("", views.household_list, name="household-list"),
    path("households/import/", views.household_import, name="household-import"),
    path("households/<int:household_id>/", views.household_detail, name="household-detail"),
    path("sweeps/", views.sweep_list, name="sweep-list"),
    path("sweeps/<int:sweep_id>/", views.sweep_detail, name="sweep-detail"),
    path("applications/", views.application_list, name="application-list"),
    path("applications/new/", views.application_create, name="application-create"),
    path(
        "applications/<int:application_id>/",
        views.application_detail,
        name="application-detail",
    ),
    path(
        "applications/<int:application_id>/letter/",
        views.application_letter,
        name="application-letter",
    ),
    path("reviews/", views.review_list, name="review-list"),
    path(
        "reviews/extensions/<int:extension_id>/revert/",
        views.review_extension_revert,
        name="review-extension-revert",
    ),
    path("help/", views.help_request_list, name="help-list"),
    path("help/new/", views.help_request_create, name="help-create"),
    path("help/<int:request_id>/", views.help_request_detail, name="help-detail"),
    path("help/ask/", views.help_public_form, name="help-ask"),
    path("help/status/", views.help_public_status, name="help-status"),
    path("help/qr/<str:code>.svg", views.help_public_qr, name="help-qr"),
    path("stock/", views.stock_list, name="stock-list"),
    path("stock/lots/<int:lot_id>/", views.lot_detail, name="lot-detail"),
    path("deliveries/", views.delivery_list, name="delivery-list"),
    path("deliveries/<int:delivery_id>/", views.delivery_detail, name="delivery-detail"),
]
