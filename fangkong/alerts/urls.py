from django.urls import path

from fangkong.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="alert-list"),
    path("unacknowledged/", views.oversight, name="oversight"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:alert_id>/", views.alert_detail, name="alert-detail"),
    path("<int:alert_id>/ack/", views.alert_acknowledge, name="alert-ack"),
]
