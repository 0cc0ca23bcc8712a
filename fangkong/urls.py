from django.contrib import admin
from django.urls import include, path

from fangkong.accounts import views as account_views
from fangkong.api import api
from fangkong.passes.api import verify_view as pass_verify_view

urlpatterns = [
    # Every roadside scan comes here: a plain view, matched first and ahead of the API, with the
    # API's contract (it is the "verify" operation of the passes router in the OpenAPI document).
    path("api/v1/passes/verify", pass_verify_view, name="passes-verify-api"),
    path("", account_views.home, name="home"),
    path("accounts/", include("fangkong.accounts.urls")),
    path("divisions/", include("fangkong.divisions.urls")),
    path("hq/", include("fangkong.core.urls")),
    path("community/", include("fangkong.community.urls")),
    path("checkpoints/", include("fangkong.checkpoints.urls")),
    path("passes/", include("fangkong.passes.urls")),
    path("assistance/", include("fangkong.assistance.urls")),
    path("directives/", include("fangkong.directives.urls")),
    path("returnees/", include("fangkong.returnees.urls")),
    path("alerts/", include("fangkong.alerts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "fangkong.core.errors.bad_request"
handler403 = "fangkong.core.errors.permission_denied"
handler404 = "fangkong.core.errors.page_not_found"
handler500 = "fangkong.core.errors.server_error"
# Uploaded files are never served from MEDIA_URL, not even under DEBUG: each app serves its
# files through a view that checks who may see them.
