from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from prodops.core.errors import ValidationFailed

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
    """One search over requests, docs, roadmap items and metrics the caller may see, grouped by
    kind."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="websearch syntax"),
            OpenApiParameter("kind", str, required=False, description="only this kind"),
        ],
        responses=SearchResultsSerializer,
    )
    def get(self, request):
        params = request.query_params
        for name in ("q", "kind"):
            if len(params.getlist(name)) > 1:
                raise ValidationFailed("Give this parameter once.", field=name)
        if "q" not in params:
            raise ValidationFailed("Give the words to search for.", field="q")
        q = engine.clean_query(params.get("q"))
        kind = params.get("kind") or None
        if kind is not None and kind not in {source.kind for source in engine.sources()}:
            raise ValidationFailed(
                "Choose one of: " + ", ".join(s.kind for s in engine.sources()) + ".", field="kind"
            )
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
