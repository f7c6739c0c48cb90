from rest_framework import serializers

from .events import EVENT_TYPES
from .models import Attempt, Delivery, Endpoint


class EndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES),
        allow_empty=False,
        max_length=len(EVENT_TYPES),
    )
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "active",
            "secret",
            "previous_secret_expires_at",
            "failing_since",
            "disabled_at",
            "disabled_reason",
            "created_at",
            "version",
        ]
        read_only_fields = [
            "secret",
            "previous_secret_expires_at",
            "failing_since",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ["number", "started_at", "duration_ms", "status_code", "response_excerpt", "error"]


class DeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.CharField(source="event.type")
    message_id = serializers.CharField(source="event.message_id")
    payload = serializers.JSONField(source="event.payload")
    state = serializers.ChoiceField(choices=["pending", "delivered", "failed"])
    log = AttemptSerializer(many=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event_type",
            "message_id",
            "payload",
            "state",
            "attempts",
            "next_attempt_at",
            "sent_at",
            "failed_at",
            "last_status_code",
            "last_error",
            "created_at",
            "log",
        ]
        read_only_fields = fields
