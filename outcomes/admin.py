from django.contrib import admin

from .models import Objective


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ("title", "level", "parent", "department", "period", "status", "owner")
    list_filter = ("level", "status", "period")
    search_fields = ("title",)
