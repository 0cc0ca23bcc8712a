from django.urls import path, re_path

from fangkong.returnees import views

app_name = "returnees"

urlpatterns = [
    path("", views.trip_list, name="trip-list"),
    path("new/", views.trip_create, name="trip-create"),
    path("queue/", views.queue, name="trip-queue"),
    path("unit/", views.unit_list, name="unit-list"),
    path("trips/<int:trip_id>/", views.trip_detail, name="trip-detail"),
    path("trips/<int:trip_id>/edit/", views.trip_edit, name="trip-edit"),
    path("trips/<int:trip_id>/arrive/", views.trip_arrive, name="trip-arrive"),
    path("trips/<int:trip_id>/back-at-work/", views.trip_back_at_work, name="trip-back-at-work"),
    path("people/<int:person_id>/", views.person_detail, name="person-detail"),
    path("people/<int:person_id>/merge/<int:other_id>/", views.person_merge, name="person-merge"),
    path("observations/", views.observation_list, name="observation-list"),
    path("observations/<int:observation_id>/", views.observation_detail, name="observation-detail"),
    path("observations/release/", views.observation_release_bulk, name="observation-release-bulk"),
    path("import/", views.census_import, name="census-import"),
    path("import/template.xlsx", views.census_template, name="census-template"),
    path("import/report.xlsx", views.census_report, name="census-report"),
    path("import/jobs/<int:job_id>/", views.census_job, name="census-job"),
    path("import/jobs/<int:job_id>/report.xlsx", views.census_job_report, name="census-job-report"),
    path("r/<str:code>/", views.self_register, name="self-register"),
    path("posters/", views.poster_list, name="poster-list"),
    re_path(r"^posters/(?P<code>\d{2,12})\.(?P<fmt>png|pdf)$", views.poster, name="poster"),
    path("risk-areas/", views.risk_area_list, name="risk-area-list"),
    path("units/", views.work_unit_list, name="work-unit-list"),
    path("units/<int:unit_id>/", views.work_unit_detail, name="work-unit-detail"),
    path("transport/", views.convoy_list, name="convoy-list"),
    path("transport/<int:convoy_id>/", views.convoy_detail, name="convoy-detail"),
]
