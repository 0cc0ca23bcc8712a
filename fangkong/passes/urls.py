from django.urls import path

from fangkong.passes import views

app_name = "passes"

urlpatterns = [
    path("", views.pass_list, name="pass-list"),
    path("new/", views.pass_create, name="pass-create"),
    path("bulk/", views.pass_bulk, name="pass-bulk"),
    path("<int:pass_id>/", views.pass_detail, name="pass-detail"),
    path("<int:pass_id>/print/", views.pass_print, name="pass-print"),
    path("<int:pass_id>/qr.png", views.pass_qr, {"fmt": "png"}, name="pass-qr-png"),
    path("<int:pass_id>/qr.svg", views.pass_qr, {"fmt": "svg"}, name="pass-qr-svg"),
    path("<int:pass_id>/revoke/", views.pass_revoke, name="pass-revoke"),
    path("duty/", views.duty_preview, name="duty-preview"),
    path("duty/sw.js", views.duty_service_worker, name="duty-sw"),
]
