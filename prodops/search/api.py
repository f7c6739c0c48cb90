from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import engine


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    score = serializers.FloatField()
    snippet = serializers.CharField(help_text="Escaped HTML; matches wrapped in <mark>.")
    note = serializers.CharField()


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    results = SearchHitSerializer(many=True)


class SearchResultsSerializer(serializers.Serializer):
    q = serializers.CharField()
    groups = SearchGroupSerializer(many=True)


class SearchView(APIView):
    """One search over requests, docs and roadmap items the caller may see, grouped by kind."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="websearch syntax"),
            OpenApiParameter("kind", str, required=False, description="only this kind"),
        ],
        responses=SearchResultsSerializer,
    )
    def get(self, request):
        q = engine.clean_query(request.query_params.get("q"))
        kind = request.query_params.get("kind") or None
        groups = engine.search_all(user=request.user, q=q, limit=20, kinds={kind} if kind else None)
        if kind in (None, "doc"):
            engine.searched.send(sender=None, user=request.user, q=q, groups=groups)
        return Response(
            {
                "q": q,
                "groups": [
                    {
                        "kind": source.kind,
                        "label": source.label,
                        "results": [
                            {
                                "kind": h.kind,
                                "id": h.id,
                                "title": h.title,
                                "url": h.url,
                                "score": round(h.score, 4),
                                "snippet": str(h.snippet),
                                "note": h.note,
                            }
                            for h in hits
                        ],
                    }
                    for source, hits in groups
                ],
            }
        )
