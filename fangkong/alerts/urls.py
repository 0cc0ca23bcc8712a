from django.urls import path

from fangkong.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="alert-list"),
    path("unacknowledged/", views.oversight, name="oversight"),
    path("preferences/", views.preferences, name="preferences"),
    path("bulletins/", views.bulletin_list, name="bulletin-list"),
    path("bulletins/new/", views.bulletin_compose, name="bulletin-compose"),
    path("bulletins/<int:bulletin_id>/", views.bulletin_detail, name="bulletin-detail"),
    path("bulletins/<int:bulletin_id>/confirm/", views.bulletin_confirm, name="bulletin-confirm"),
    path("<int:alert_id>/", views.alert_detail, name="alert-detail"),
    path("<int:alert_id>/ack/", views.alert_acknowledge, name="alert-ack"),
]
