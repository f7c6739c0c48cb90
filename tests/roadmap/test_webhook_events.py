"""Roadmap changes heard by webhook endpoints: an item created, an item shipped."""

import pytest

from prodops.webhooks import services as webhooks
from prodops.webhooks.models import Event
from roadmap import services


@pytest.mark.django_db
def test_items_created_and_shipped_become_webhook_events(
    plan, users, django_capture_on_commit_callbacks
):
    with mock_public_host():
        webhooks.endpoint_create(
            actor=users["admin"],
            url="https://hooks.example.org/in",
            events=["roadmap_item.created", "roadmap_item.shipped"],
        )
    with django_capture_on_commit_callbacks(execute=False):
        item = plan(5)
        services.roadmap_item_update(item=item, actor=users["member"], status="in_progress")
        services.roadmap_item_update(item=item, actor=users["member"], status="shipped")
    events = list(Event.objects.order_by("id").values_list("type", "payload"))
    assert [kind for kind, _ in events] == ["roadmap_item.created", "roadmap_item.shipped"]
    shipped = events[1][1]["data"]
    assert shipped["id"] == item.pk and shipped["status_change"]["to"] == "shipped"
    assert "internal_notes" not in shipped


def mock_public_host():
    from unittest import mock

    return mock.patch("socket.getaddrinfo", return_value=[(2, 1, 6, "", ("93.184.216.34", 443))])
