from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

import prodops.admin_site  # noqa: F401 - applies the admin role rule to the admin site
from prodops.accounts import views as account_views
from prodops.accounts.forms import SignInForm
from prodops.core import views as core_views
from prodops.home import views as home_views

handler404 = "prodops.core.views.not_found"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=SignInForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/token/revoke/", account_views.token_revoke, name="token-revoke"),
    path("admin/", admin.site.urls),
    path("requests/", include("intake.urls")),
    path("roadmap/", include("roadmap.urls")),
    path("r/", include("roadmap.share_urls")),
    path("outcomes/", include("outcomes.urls")),
    path("docs/", include("docs_hub.urls")),
    path("help/", include("docs_hub.help_urls")),
    path("search/", include("prodops.search.urls")),
    path("reviews/", include("prodops.reviews.urls")),
    path("pricing/", include("pricing.urls")),
    path("packs/", include("packs.urls")),
    path("p/", include("packs.share_urls")),
    path("notifications/", include("prodops.notifications.urls")),
    path("people/", include("prodops.accounts.urls")),
    path("webhooks/", include("prodops.webhooks.urls")),
    path("outreach/", include("outreach.urls")),
    path("api/v1/", include("prodops.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="schema")),
        name="api-docs",
    ),
]
