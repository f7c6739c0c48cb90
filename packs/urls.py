from django.urls import path

from . import views

app_name = "packs"

urlpatterns = [
    path("", views.pack_index, name="index"),
    path("<int:pk>/", views.pack_detail, name="detail"),
    path("<int:pk>/write-up/", views.pack_write_up, name="write_up"),
    path("<int:pk>/finalize/", views.pack_finalize, name="finalize"),
    path("<int:pk>/reopen/", views.pack_reopen, name="reopen"),
    path("<int:pk>/history/<int:rpk>/", views.pack_history, name="history"),
    path("<int:pk>/compare/", views.pack_compare, name="compare"),
    path("<int:pk>/stakeholder/", views.pack_stakeholder, name="stakeholder"),
    path("<int:pk>/pdf/", views.pack_pdf, name="pdf"),
    path("<int:pk>/csv/<slug:section>/<slug:table>/", views.pack_csv, name="csv"),
    path("<int:pk>/commitments/", views.commitment_add, name="commitment_add"),
    path("<int:pk>/commitments/<int:cpk>/plan/", views.commitment_plan, name="commitment_plan"),
    path(
        "<int:pk>/commitments/<int:cpk>/remove/",
        views.commitment_remove,
        name="commitment_remove",
    ),
    path("<int:pk>/share-links/", views.share_links, name="share_links"),
    path(
        "<int:pk>/share-links/<int:link_pk>/revoke/",
        views.share_link_revoke,
        name="share_link_revoke",
    ),
]
