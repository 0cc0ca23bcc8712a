from django.urls import path

from fangkong.checkpoints import views

app_name = "checkpoints"

urlpatterns = [
    path("", views.checkpoint_list, name="checkpoint-list"),
    path("new/", views.checkpoint_create, name="checkpoint-create"),
    path("approvals/", views.approval_inbox, name="approval-inbox"),
    path("gaps/", views.coverage_gaps, name="coverage-gaps"),
    path("my-shifts/", views.my_shifts, name="my-shifts"),
    path("report/", views.report_create, name="report-create"),
    path("reports/", views.report_list, name="report-list"),
    path("reports/<int:report_id>/resolve/", views.report_resolve, name="report-resolve"),
    path("<int:checkpoint_id>/", views.checkpoint_detail, name="checkpoint-detail"),
    path("<int:checkpoint_id>/edit/", views.checkpoint_edit, name="checkpoint-edit"),
    path(
        "<int:checkpoint_id>/status/<slug:action>/",
        views.checkpoint_transition,
        name="checkpoint-transition",
    ),
    path("<int:checkpoint_id>/passages/", views.passage_create, name="passage-create"),
    path(
        "<int:checkpoint_id>/passages/<int:passage_id>/returnee/",
        views.passage_register_returnee,
        name="passage-returnee",
    ),
    path("<int:checkpoint_id>/duty/", views.duty_page, name="duty"),
    path("<int:checkpoint_id>/duty/sw.js", views.duty_service_worker, name="duty-sw"),
    path("<int:checkpoint_id>/roster/", views.roster_week, name="roster-week"),
    path("<int:checkpoint_id>/roster/copy/", views.roster_copy_week, name="roster-copy"),
    path("shifts/<int:shift_id>/edit/", views.shift_edit, name="shift-edit"),
    path("shifts/<int:shift_id>/repeat/", views.shift_repeat, name="shift-repeat"),
    path("shifts/<int:shift_id>/delete/", views.shift_delete, name="shift-delete"),
    path("shifts/<int:shift_id>/handover/", views.shift_handover, name="shift-handover"),
]
