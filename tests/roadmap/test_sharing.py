"""Nothing internal leaks to stakeholders: not on their page, the share page or their API."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from intake.models import Assessment, Comment
from prodops.notifications.models import Notification
from roadmap import services
from roadmap.models import ShareLink

SECRETS = (
    "Internal codename Falcon",  # internal item title
    "Only the team knows this",  # internal notes of a shared item
    "Secret internal item",  # an internal item's stakeholder title
    "13.7",  # the shared item's estimate
    "Rationale nobody outside sees",  # an assessment
    "Requester Zed",  # a requester's name
    "Internal comment text",
    "Team working title",  # a shared item's internal title
)


@pytest.fixture
def roadmap_with_secrets(roadmap, users, objective, accepted):
    requester_request = accepted(effort=4)
    requester = requester_request.requester
    requester.first_name, requester.last_name = "Requester", "Zed"
    requester.save()
    Assessment.objects.filter(request=requester_request).update(
        rationale="Rationale nobody outside sees"
    )
    Comment.objects.create(
        request=requester_request,
        author=users["member"],
        body="Internal comment text",
        is_internal=True,
    )
    shared = services.roadmap_item_create(
        roadmap=roadmap,
        actor=users["lead"],
        requests=[requester_request],
        objective=objective,
        estimate_days="13.7",
        title="Team working title",
        public_title="One-click quotes in CRM",
        public_summary="Reps can send a quote without leaving the CRM.",
        internal_notes="Only the team knows this",
        visibility="shared",
        lane="now",
    )
    services.roadmap_item_create(
        roadmap=roadmap,
        actor=users["lead"],
        requests=[accepted(effort=2)],
        objective=objective,
        title="Internal codename Falcon",
        public_title="Secret internal item",
        internal_notes="Only the team knows this",
        visibility="internal",
    )
    services.unplanned_log(
        roadmap=roadmap,
        actor=users["member"],
        day="2027-01-11",
        days=3,
        what="Fix",
        requested_by="Requester Zed",
    )
    return shared


def assert_no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"leaked: {secret!r}"
    for figure in ("capacity", "plannable", "buffer", "estimate", "person-days"):
        assert figure not in text.lower(), f"leaked figure label: {figure!r}"


@pytest.mark.django_db
def test_stakeholder_page_shows_only_shared_items(clients, roadmap_with_secrets):
    html = clients["stakeholder"].get("/roadmap/shared/").content.decode()
    assert "One-click quotes in CRM" in html
    assert "Reps can send a quote without leaving the CRM." in html
    assert "Planned" in html
    assert_no_secrets(html)


@pytest.mark.django_db
def test_share_page_shows_only_shared_items_to_anyone(
    clients, roadmap, users, roadmap_with_secrets
):
    link = services.share_link_create(roadmap=roadmap, actor=users["lead"], label="Sales kickoff")
    response = clients["anonymous"].get(f"/r/{link.token}/")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    assert "One-click quotes in CRM" in html
    assert_no_secrets(html)
    assert len(link.token) >= 40


def _lane_html(html: str, label: str) -> str:
    start = re.search(rf'<section class="lane"[^>]*>\s*<h3[^>]*>{label}</h3>', html).start()
    return html[start : html.index("</section>", start)]


@pytest.mark.django_db
def test_stakeholder_lanes_with_nothing_shared_say_so(
    clients, roadmap, users, roadmap_with_secrets
):
    # Only the "now" item is shared; the internal item must not fill its lane either.
    link = services.share_link_create(roadmap=roadmap, actor=users["lead"])
    for client, url in (
        (clients["stakeholder"], "/roadmap/shared/"),
        (clients["anonymous"], f"/r/{link.token}/"),
    ):
        html = client.get(url).content.decode()
        now = _lane_html(html, "Now")
        assert "One-click quotes in CRM" in now and "Nothing here." not in now
        for label in ("Next", "Later"):
            lane = _lane_html(html, label)
            assert "Nothing here." in lane and "item-card" not in lane, (url, label)


@pytest.mark.django_db
def test_stakeholder_api_shows_only_shared_items(api_clients, roadmap_with_secrets):
    response = api_clients["stakeholder"].get("/api/v1/shared-roadmaps/")
    assert response.status_code == 200
    text = json.dumps(response.json())
    assert "One-click quotes in CRM" in text
    assert_no_secrets(text)
    item = response.json()["results"][0]["items"][0]
    assert set(item) == {
        "id",
        "title",
        "summary",
        "status",
        "lane",
        "start_month",
        "end_month",
        "objective",
    }
    # and the internal API stays closed to stakeholders
    assert (
        api_clients["stakeholder"]
        .get(f"/api/v1/roadmaps/{roadmap_with_secrets.roadmap_id}/items/")
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_revoked_expired_and_unknown_links_are_404(clients, roadmap, users):
    live = services.share_link_create(roadmap=roadmap, actor=users["lead"])
    revoked = services.share_link_create(roadmap=roadmap, actor=users["lead"])
    services.share_link_revoke(link=revoked, actor=users["lead"])
    expired = services.share_link_create(
        roadmap=roadmap, actor=users["lead"], expires_at=timezone.now() + dt.timedelta(days=1)
    )
    ShareLink.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert clients["anonymous"].get(f"/r/{live.token}/").status_code == 200
    assert clients["anonymous"].get(f"/r/{revoked.token}/").status_code == 404
    assert clients["anonymous"].get(f"/r/{expired.token}/").status_code == 404
    assert clients["anonymous"].get(f"/r/{live.token}x/").status_code == 404


@pytest.mark.django_db
def test_share_link_revoke_through_the_browser(clients, roadmap, users):
    link = services.share_link_create(roadmap=roadmap, actor=users["lead"])
    url = f"/roadmap/{roadmap.pk}/share/{link.pk}/revoke/"
    assert clients["member"].post(url).status_code == 403
    assert clients["lead"].post(url).status_code == 302
    assert clients["anonymous"].get(f"/r/{link.token}/").status_code == 404


@pytest.mark.django_db
def test_share_page_queries_do_not_grow(clients, roadmap, users, objective, accepted):
    from tests.helpers import assert_queries_do_not_grow

    link = services.share_link_create(roadmap=roadmap, actor=users["lead"])

    def add(n):
        for _ in range(n):
            services.roadmap_item_create(
                roadmap=roadmap,
                actor=users["lead"],
                requests=[accepted()],
                objective=objective,
                estimate_days="0.1",
                visibility="shared",
                public_title="Shared",
            )

    assert_queries_do_not_grow(
        lambda: clients["anonymous"].get(f"/r/{link.token}/"), add, before=2, after=20
    )
    assert_queries_do_not_grow(
        lambda: clients["stakeholder"].get("/roadmap/shared/"), add, before=0, after=10
    )


@pytest.mark.django_db
def test_watchers_hear_only_shared_changes_after_a_review(
    clients, roadmap, users, roadmap_with_secrets, plan
):
    stakeholder = users["stakeholder"]
    assert (
        clients["stakeholder"].post(f"/roadmap/{roadmap.pk}/watch/", {"watch": "1"}).status_code
        == 302
    )
    services.roadmap_complete_review(roadmap=roadmap, actor=users["lead"], notes="first")
    services.roadmap_item_update(
        item=roadmap_with_secrets, actor=users["lead"], lane="next", estimate_days="20"
    )
    plan(1, title="Another internal thing")
    services.roadmap_complete_review(roadmap=roadmap, actor=users["lead"], notes="second")
    told = list(
        Notification.objects.filter(
            recipient=stakeholder, kind=Notification.Kind.ROADMAP_CHANGED
        ).order_by("id")
    )
    assert len(told) == 2
    assert "Added: One-click quotes in CRM" in told[0].body
    assert "Moved: One-click quotes in CRM (now → next)" in told[1].body
    for n in told:
        assert_no_secrets(n.title + n.body)
        assert "Another internal thing" not in n.body
