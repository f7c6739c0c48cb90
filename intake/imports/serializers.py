from rest_framework import serializers

from .models import RequestImport, RequestImportRow
from .rows import FIELDS


class RequestImportMappingSerializer(serializers.Serializer):
    """Request field → the column of the file that holds it (title is required)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    department = serializers.CharField(required=False, allow_blank=True, max_length=200)
    requester_email = serializers.CharField(required=False, allow_blank=True, max_length=200)
    votes = serializers.CharField(required=False, allow_blank=True, max_length=200)
    created = serializers.CharField(required=False, allow_blank=True, max_length=200)


class RequestImportCreateSerializer(serializers.Serializer):
    content = serializers.CharField(
        help_text="The CSV text, header first.", trim_whitespace=False, max_length=50 * 1024 * 1024
    )
    filename = serializers.CharField(required=False, allow_blank=True, max_length=200)
    mapping = RequestImportMappingSerializer(
        required=False,
        help_text="Omit to use the columns guessed from the header.",
    )
    include_duplicates = serializers.BooleanField(required=False, default=False)


class RequestImportMapSerializer(serializers.Serializer):
    mapping = RequestImportMappingSerializer()
    include_duplicates = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(min_value=1)


class RequestImportActionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)


class RequestImportSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    percent_done = serializers.IntegerField()
    mapping = serializers.DictField(child=serializers.CharField())

    class Meta:
        model = RequestImport
        fields = [
            "id",
            "filename",
            "uploaded_by",
            "columns",
            "mapping",
            "include_duplicates",
            "status",
            "total_rows",
            "processed_rows",
            "percent_done",
            "new_count",
            "duplicate_count",
            "error_count",
            "imported_count",
            "failure",
            "created_at",
            "imported_at",
            "undone_at",
            "version",
        ]
        read_only_fields = fields


class RequestImportRowSerializer(serializers.ModelSerializer):
    values = serializers.DictField(help_text=f"The line's values by field: {', '.join(FIELDS)}.")

    class Meta:
        model = RequestImportRow
        fields = [
            "line",
            "fate",
            "message",
            "values",
            "duplicate_of",
            "duplicate_of_line",
            "request",
        ]
        read_only_fields = fields
