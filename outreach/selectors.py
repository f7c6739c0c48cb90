"""Reads of customer outreach; each list loads what its page needs in a fixed number of
queries."""

from django.db.models import Count, Max, Prefetch, Q

from intake.selectors import request_visible

from .models import Account, Contact, OutreachPlan, RequestAccount, Touch


def account_list():
    return (
        Account.objects.select_related("owner")
        .prefetch_related("price_plans")
        .annotate(
            contact_count=Count("contacts", distinct=True),
            last_touch_on=Max("touches__on"),
        )
        .order_by("name", "id")
    )


def contact_list():
    return Contact.objects.select_related("account").order_by("name", "id")


def plan_list():
    return (
        OutreachPlan.objects.select_related("team", "created_by", "request", "roadmap_item")
        .prefetch_related(
            Prefetch("accounts", queryset=Account.objects.order_by("name")),
            Prefetch("contacts", queryset=Contact.objects.order_by("name")),
        )
        .order_by("-starts_on", "-id")
    )


def touch_list():
    return Touch.objects.select_related(
        "contact", "account", "plan__team", "by", "overridden_by"
    ).order_by("-on", "-id")


def account_timeline(*, account: Account):
    """Every touch of the account's contacts, across teams, newest first."""
    return touch_list().filter(account=account)


def plan_contacts(*, plan: OutreachPlan) -> list[Contact]:
    """The plan's contacts: those named, and every contact of its accounts."""
    return list(
        Contact.objects.filter(Q(plans=plan) | Q(account__plans=plan))
        .select_related("account")
        .distinct()
        .order_by("account__name", "name", "id")
    )


def contact_search(*, text: str, limit: int = 10) -> list[Contact]:
    text = (text or "").strip()
    if not text:
        return []
    return list(
        Contact.objects.filter(erased_at__isnull=True)
        .filter(Q(name__icontains=text) | Q(email__icontains=text))
        .select_related("account")
        .order_by("name", "id")[:limit]
    )


def request_account_links(*, user):
    """The account links of the requests `user` may read (request_visible's rule)."""
    return (
        RequestAccount.objects.filter(request__in=request_visible(user=user))
        .select_related("account")
        .order_by("request_id", "account__name", "id")
    )


def request_accounts(*, request_obj) -> list[Account]:
    """The accounts a request is about, by name. Callers show stakeholders the names only."""
    return list(Account.objects.filter(request_links__request=request_obj).order_by("name", "id"))


def account_search(*, text: str, exclude=(), limit: int = 10) -> list[Account]:
    text = (text or "").strip()
    if not text:
        return []
    return list(
        Account.objects.filter(name__icontains=text)
        .exclude(pk__in=[a.pk for a in exclude])
        .order_by("name", "id")[:limit]
    )
