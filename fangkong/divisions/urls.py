from django.urls import path

from fangkong.divisions import views

app_name = "divisions"

urlpatterns = [
    path("", views.division_tree, name="division-tree"),
    path("<str:code>/", views.division_tree, name="division-detail"),
]
