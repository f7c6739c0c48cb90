from rest_framework import serializers

from prodops.accounts.models import User

from .models import Deflection, Doc, DocRevision


class DocSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        required=False, help_text="Send the version you loaded; a stale one gets 409."
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    reviewer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=20
    )
    needs_review = serializers.SerializerMethodField()
    verify_due_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Doc
        fields = [
            "id",
            "title",
            "slug",
            "body",
            "audience",
            "status",
            "owner",
            "reviewer",
            "tags",
            "verify_interval_days",
            "last_verified_on",
            "verify_due_on",
            "needs_review",
            "published_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "slug",
            "status",
            "last_verified_on",
            "published_at",
            "created_at",
            "updated_at",
        ]

    def get_needs_review(self, doc: Doc) -> bool:
        return doc.needs_review()


class DocRevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocRevision
        fields = ["number", "title", "body", "author", "note", "created_at"]


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, help_text="The version you loaded; a stale one gets 409."
    )


class DeflectionSerializer(serializers.ModelSerializer):
    doc = serializers.PrimaryKeyRelatedField(queryset=Doc.objects.all())

    class Meta:
        model = Deflection
        fields = ["id", "doc", "person", "query", "created_at"]
        read_only_fields = ["id", "person", "created_at"]


class DocLinkSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[("request", "Request"), ("roadmap_item", "Roadmap item"), ("metric", "Metric")]
    )
    target = serializers.IntegerField(
        min_value=1, help_text="The id of the request, item or metric."
    )
    version = serializers.IntegerField(
        required=False, help_text="The doc's version you loaded; a stale one gets 409."
    )


class LinkedObjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="A request's or item's title, a metric's name.")


class DocLinksSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The doc's version after the change.")
    requests = LinkedObjectSerializer(many=True)
    roadmap_items = LinkedObjectSerializer(many=True)
    metrics = LinkedObjectSerializer(many=True)


def doc_links_data(doc: Doc, links: dict[str, list]) -> dict:
    """The body of /docs/{id}/links/ from selectors.doc_links."""
    return {
        "version": doc.version,
        "requests": [{"id": r.pk, "title": r.title} for r in links["request"]],
        "roadmap_items": [{"id": i.pk, "title": i.title} for i in links["roadmap_item"]],
        "metrics": [{"id": m.pk, "title": m.name} for m in links["metric"]],
    }
