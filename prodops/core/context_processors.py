from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from prodops.accounts.roles import Role, has_role

# (label, URL name, lowest role that sees the entry, icon in static/icons/). A label is the
# word the page's own heading uses.
NAV_ITEMS = [
    ("Requests", "intake:queue", Role.STAKEHOLDER, "inbox"),
    ("Backlog", "intake:backlog", Role.MEMBER, "list-ordered"),
    ("Roadmap", "roadmap:index", Role.STAKEHOLDER, "map"),
    ("Objectives", "outcomes:objectives", Role.STAKEHOLDER, "target"),
    ("Docs", "docs_hub:index", Role.STAKEHOLDER, "book-open"),
    ("Reviews", "reviews:index", Role.MEMBER, "calendar-check"),
    ("People", "people:index", Role.ADMIN, "users"),
    ("Webhooks", "webhooks:list", Role.ADMIN, "share-2"),
]


def navigation(request):
    """Main navigation, with the current section marked."""
    items = []
    user = getattr(request, "user", None)
    for label, name, minimum, icon in NAV_ITEMS:
        if not has_role(user, minimum):
            continue
        items.append({"label": label, "url": reverse(name), "current": False, "icon": icon})
    # The longest matching prefix is the current section (/requests/backlog/ is Backlog).
    matching = [item for item in items if request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["current"] = True
    unread = 0
    if user is not None and user.is_authenticated:
        from prodops.notifications.selectors import unread_count

        # Counted only if a template shows it, and at most once per response.
        unread = SimpleLazyObject(lambda: unread_count(user=user))
    return {"nav_items": items, "unread_notifications": unread}
