from django.contrib import admin

from .models import Approval, Plan, PricePoint, PriceProposal, PricingReview, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "owner")
    search_fields = ("name",)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "product", "segment", "status", "owner")
    list_filter = ("product", "segment", "status")
    search_fields = ("name",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Prices, decisions and approvals are written by the pricing services only (history and
    the approval trail must not be edited after the fact); the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PricePoint)
class PricePointAdmin(ReadOnlyAdmin):
    list_display = (
        "plan",
        "amount",
        "currency",
        "billing_period",
        "audience",
        "effective_from",
        "effective_to",
    )
    list_filter = ("currency", "billing_period", "audience")
    list_select_related = ("plan__product",)


@admin.register(PriceProposal)
class PriceProposalAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "effective_on", "created_by")
    list_filter = ("status",)


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "step", "approver", "decided_at", "withdrawn_at")


@admin.register(PricingReview)
class PricingReviewAdmin(ReadOnlyAdmin):
    list_display = ("plan", "decision", "held_by", "held_on")
    list_select_related = ("plan__product", "held_by")
