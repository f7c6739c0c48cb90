from django.urls import reverse

NAV_ITEMS = [
    ("Requests", "intake:queue"),
    ("Backlog", "intake:backlog"),
    ("Roadmap", "roadmap:index"),
    ("Outcomes", "outcomes:objectives"),
    ("Docs", "docs_hub:index"),
    ("Reviews", "reviews:index"),
]


def navigation(request):
    """Main navigation, with the current section marked."""
    items = []
    for label, name in NAV_ITEMS:
        try:
            url = reverse(name)
        except Exception:
            continue
        items.append({"label": label, "url": url, "current": request.path.startswith(url)})
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from prodops.notifications.selectors import unread_count

        unread = unread_count(user=user)
    return {"nav_items": items, "unread_notifications": unread}
