from rest_framework import serializers

from .models import Objective
from .services import EDITABLE_FIELDS


class ObjectiveSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        required=False, help_text="Send the version you loaded; a stale one gets 409."
    )

    class Meta:
        model = Objective
        fields = [
            "id",
            *EDITABLE_FIELDS,
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
