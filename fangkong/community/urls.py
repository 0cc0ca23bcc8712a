from django.urls import path

from fangkong.community import views

app_name = "community"

urlpatterns = [
    path("", views.index, name="index"),
    path("report/", views.public_report, name="public-report"),
    path("report/thanks/", views.public_report_thanks, name="public-report-thanks"),
    path("gatherings/", views.gathering_list, name="gathering-list"),
    path("gatherings/new/", views.gathering_create, name="gathering-create"),
    path("gatherings/stats/", views.gathering_stats, name="gathering-stats"),
    path("gatherings/export/", views.gathering_export, name="gathering-export"),
    path("gatherings/qr/", views.gathering_qr, name="gathering-qr"),
    path("gatherings/<int:report_id>/", views.gathering_detail, name="gathering-detail"),
    path("gatherings/<int:report_id>/assign/", views.gathering_assign, name="gathering-assign"),
    path("gatherings/<int:report_id>/handle/", views.gathering_handle, name="gathering-handle"),
    path("photos/<int:photo_id>/", views.photo_file, name="photo-file"),
    path("family-events/", views.family_event_list, name="family-event-list"),
    path("family-events/new/", views.family_event_create, name="family-event-create"),
    path("family-events/<int:event_id>/", views.family_event_detail, name="family-event-detail"),
    path("hygiene/", views.campaign_list, name="campaign-list"),
    path("hygiene/new/", views.campaign_create, name="campaign-create"),
    path("hygiene/<int:campaign_id>/", views.campaign_detail, name="campaign-detail"),
    path("hygiene/<int:campaign_id>/tasks/new/", views.task_create, name="task-create"),
    path("hygiene/tasks/<int:task_id>/", views.task_detail, name="task-detail"),
    path("publicity/", views.material_list, name="material-list"),
    path("publicity/new/", views.material_create, name="material-create"),
    path("publicity/<int:material_id>/", views.material_detail, name="material-detail"),
    path("publicity/<int:material_id>/file/", views.material_file, name="material-file"),
]
