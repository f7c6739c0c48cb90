from django.urls import path

from . import scoring_views

urlpatterns = [
    path("backlog/", scoring_views.backlog, name="backlog"),
    path("backlog/export.csv", scoring_views.backlog_csv, name="backlog_csv"),
    path("backlog/objectives/", scoring_views.objective_view, name="objective_view"),
    path("backlog/<int:pk>/decide/", scoring_views.backlog_decide, name="backlog_decide"),
    path("scoring-model/", scoring_views.scoring_model, name="scoring_model"),
    path("<int:pk>/assess/", scoring_views.assess, name="assess"),
]
