from django.urls import path

from .scoring_api import AssessmentViewSet, BacklogViewSet, ScoringModelView

assessment_list = AssessmentViewSet.as_view({"get": "list", "post": "create"})
assessment_detail = AssessmentViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update"}
)

urlpatterns = [
    path(
        "requests/<int:request_pk>/assessments/",
        assessment_list,
        name="api-request-assessments",
    ),
    path(
        "requests/<int:request_pk>/assessments/<int:pk>/",
        assessment_detail,
        name="api-request-assessment",
    ),
    path("backlog/", BacklogViewSet.as_view({"get": "list"}), name="api-backlog"),
    path("scoring-model/", ScoringModelView.as_view(), name="api-scoring-model"),
]
