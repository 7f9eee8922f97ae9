from django.contrib import admin
from django.urls import include, path

from config.views import admin_login, favicon, healthz, home

# The admin signs in through allauth like everyone else (rate limits, 2FA): its own login
# view is replaced by one that only redirects.
admin.site.login = admin_login
admin.site.site_header = "hoctap"
handler500 = "config.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("attendance.urls")),
    path("", include("essays.urls")),
    path("", include("speakers.urls")),
    path("", include("oversight.urls")),
    path("", include("study.urls")),
    path("", include("members.urls")),
]
