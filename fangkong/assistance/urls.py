from django.urls import path

from fangkong.assistance.views import (
    applications,
    donations,
    help_requests,
    households,
    reviews,
    visits,
)

app_name = "assistance"

urlpatterns = [
    path("", households.household_list, name="household-list"),
    path("households/import/", households.household_import, name="household-import"),
    path("households/<int:household_id>/", households.household_detail, name="household-detail"),
    path("sweeps/", visits.sweep_list, name="sweep-list"),
    path("sweeps/<int:sweep_id>/", visits.sweep_detail, name="sweep-detail"),
    path("applications/", applications.application_list, name="application-list"),
    path("applications/new/", applications.application_create, name="application-create"),
    path(
        "applications/<int:application_id>/",
        applications.application_detail,
        name="application-detail",
    ),
    path(
        "applications/<int:application_id>/letter/",
        applications.application_letter,
        name="application-letter",
    ),
    path("reviews/", reviews.review_list, name="review-list"),
    path(
        "reviews/extensions/<int:extension_id>/revert/",
        reviews.review_extension_revert,
        name="review-extension-revert",
    ),
    path("help/", help_requests.help_request_list, name="help-list"),
    path("help/new/", help_requests.help_request_create, name="help-create"),
    path("help/<int:request_id>/", help_requests.help_request_detail, name="help-detail"),
    path("help/ask/", help_requests.help_public_form, name="help-ask"),
    path("help/status/", help_requests.help_public_status, name="help-status"),
    path("help/qr/<str:code>.svg", help_requests.help_public_qr, name="help-qr"),
    path("stock/", donations.stock_list, name="stock-list"),
    path("stock/lots/<int:lot_id>/", donations.lot_detail, name="lot-detail"),
    path("deliveries/", donations.delivery_list, name="delivery-list"),
    path("deliveries/<int:delivery_id>/", donations.delivery_detail, name="delivery-detail"),
]
