from rest_framework import serializers

from .models import Cadence


class CadenceSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Cadence
        fields = [
            "id",
            "kind",
            "title",
            "interval_days",
            "owner",
            "escalate_to",
            "url",
            "next_due_on",
            "active",
            "version",
        ]
        read_only_fields = ["id", "kind", "title", "url"]
