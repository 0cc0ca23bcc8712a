from django.urls import path

from fangkong.core import views

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_list, name="audit-list"),
    path("periods/", views.period_list, name="period-list"),
    path("periods/new/", views.period_edit, name="period-create"),
    path("periods/<int:period_id>/", views.period_edit, name="period-edit"),
]
