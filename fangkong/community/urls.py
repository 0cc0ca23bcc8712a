from django.urls import path

from fangkong.community.views import family_events, gatherings, hygiene, overview, publicity

app_name = "community"

urlpatterns = [
    path("", overview.index, name="index"),
    path("report/", gatherings.public_report, name="public-report"),
    path("report/thanks/", gatherings.public_report_thanks, name="public-report-thanks"),
    path("gatherings/", gatherings.gathering_list, name="gathering-list"),
    path("gatherings/new/", gatherings.gathering_create, name="gathering-create"),
    path("gatherings/stats/", gatherings.gathering_stats, name="gathering-stats"),
    path("gatherings/export/", gatherings.gathering_export, name="gathering-export"),
    path("gatherings/qr/", gatherings.gathering_qr, name="gathering-qr"),
    path("gatherings/<int:report_id>/", gatherings.gathering_detail, name="gathering-detail"),
    path(
        "gatherings/<int:report_id>/assign/", gatherings.gathering_assign, name="gathering-assign"
    ),
    path(
        "gatherings/<int:report_id>/handle/", gatherings.gathering_handle, name="gathering-handle"
    ),
    path("photos/<int:photo_id>/", gatherings.photo_file, name="photo-file"),
    path("family-events/", family_events.family_event_list, name="family-event-list"),
    path("family-events/new/", family_events.family_event_create, name="family-event-create"),
    path(
        "family-events/<int:event_id>/",
        family_events.family_event_detail,
        name="family-event-detail",
    ),
    path("hygiene/", hygiene.campaign_list, name="campaign-list"),
    path("hygiene/new/", hygiene.campaign_create, name="campaign-create"),
    path("hygiene/<int:campaign_id>/", hygiene.campaign_detail, name="campaign-detail"),
    path("hygiene/<int:campaign_id>/tasks/new/", hygiene.task_create, name="task-create"),
    path("hygiene/tasks/<int:task_id>/", hygiene.task_detail, name="task-detail"),
    path("publicity/", publicity.material_list, name="material-list"),
    path("publicity/new/", publicity.material_create, name="material-create"),
    path("publicity/<int:material_id>/", publicity.material_detail, name="material-detail"),
    path("publicity/<int:material_id>/file/", publicity.material_file, name="material-file"),
]
