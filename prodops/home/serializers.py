from rest_framework import serializers


class HomeLineSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField(help_text="Where this is done.")
    detail = serializers.CharField(allow_blank=True)
    when = serializers.SerializerMethodField(help_text="ISO date or date-time, or null.")
    tone = serializers.ChoiceField(choices=["", "warn", "danger"], allow_blank=True)

    def get_when(self, line) -> str | None:
        return line.when.isoformat() if line.when is not None else None


class HomeSectionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable name of the section, e.g. `untriaged`.")
    title = serializers.CharField()
    count = serializers.IntegerField(help_text="How many in all; `lines` lists the first few.")
    url = serializers.CharField(help_text="The page where this work is done.")
    link_label = serializers.CharField()
    empty = serializers.CharField(help_text="What to do next when there is nothing here.")
    lines = HomeLineSerializer(many=True)


class HomeSerializer(serializers.Serializer):
    role = serializers.CharField()
    sections = HomeSectionSerializer(many=True)
