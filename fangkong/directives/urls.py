from django.urls import path

from fangkong.directives import views

app_name = "directives"

urlpatterns = [
    path("", views.notice_list, name="notice-list"),
    path("public/", views.public_notice_list, name="notice-public-list"),
    path("public/<int:notice_id>/", views.public_notice_detail, name="notice-public"),
    path("import/", views.notice_import, name="notice-import"),
    path("new/", views.notice_write, name="notice-write"),
    path("<int:notice_id>/", views.notice_detail, name="notice-detail"),
    path("<int:notice_id>/edit/", views.notice_edit, name="notice-edit"),
    path("tasks/", views.assignment_list, name="assignment-list"),
    path("tasks/<int:assignment_id>/", views.assignment_detail, name="assignment-detail"),
    path("reports/<int:report_id>/return/", views.report_return, name="report-return"),
    path(
        "attachments/<str:kind>/<int:attachment_id>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/records/", views.figure_records, name="figure-records"),
    path("daily-report/", views.daily_report, name="daily-report"),
    path("daily-report/<int:file_id>/", views.daily_report_file, name="daily-report-file"),
]
