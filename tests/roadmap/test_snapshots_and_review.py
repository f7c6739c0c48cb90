import datetime as dt

import pytest
from django.utils import timezone

from prodops.reviews.models import Cadence, Review
from roadmap import services
from roadmap.models import Snapshot


@pytest.mark.django_db
def test_diff_lists_each_kind_of_change_per_item(api_clients, roadmap, plan, users):
    moved, estimated, shipped, removed = (
        plan(5, title="Moved"),
        plan(5, title="Estimated"),
        plan(5, title="Shipped"),
        plan(5, title="Removed"),
    )
    snapshot = services.snapshot_take(roadmap=roadmap, actor=users["lead"], note="before")
    services.roadmap_item_move(
        item=moved, actor=users["member"], lane="now", expected_version=moved.version
    )
    services.roadmap_item_update(item=estimated, actor=users["member"], estimate_days=8)
    services.roadmap_item_update(item=shipped, actor=users["member"], status="shipped")
    services.roadmap_item_remove(item=removed, actor=users["lead"])
    added = plan(2, title="Added")
    url = f"/api/v1/roadmaps/{roadmap.pk}/snapshots/{snapshot.pk}/diff/"
    response = api_clients["member"].get(url)
    assert response.status_code == 200
    by_title = {c["title"]: c["changes"] for c in response.json()["changes"]}
    assert by_title == {
        "Moved": [
            {
                "kind": "moved",
                "from": {"lane": "next", "start_month": None, "end_month": None},
                "to": {"lane": "now", "start_month": None, "end_month": None},
            }
        ],
        "Estimated": [{"kind": "re_estimated", "from": "5.0", "to": "8.0"}],
        "Shipped": [{"kind": "status_changed", "from": "planned", "to": "shipped"}],
        "Removed": [{"kind": "removed"}],
        "Added": [{"kind": "added"}],
    }
    assert added.pk in {c["item_id"] for c in response.json()["changes"]}
    assert api_clients["stakeholder"].get(url).status_code == 403
    html = (
        api_clients["member"]
        .get(f"/roadmap/{roadmap.pk}/snapshots/{snapshot.pk}/")
        .content.decode()
    )
    assert "re-estimated 5.0 → 8.0 d" in html


@pytest.mark.django_db
def test_moving_the_month_span_counts_as_moved(roadmap, plan, users):
    from roadmap import snapshots

    item = plan(5, start_month=dt.date(2027, 1, 1), end_month=dt.date(2027, 1, 1))
    before = services.snapshot_take(roadmap=roadmap, actor=users["lead"]).data
    services.roadmap_item_update(
        item=item,
        actor=users["member"],
        start_month=dt.date(2027, 2, 1),
        end_month=dt.date(2027, 3, 1),
    )
    after = services.snapshot_take(roadmap=roadmap, actor=users["lead"]).data
    [change] = snapshots.diff(before, after)
    assert change["changes"][0]["kind"] == "moved"
    assert change["changes"][0]["to"]["end_month"] == "2027-03-01"


@pytest.mark.django_db
def test_complete_review_snapshots_records_notes_and_moves_due_date(api_clients, roadmap, plan):
    cadence = Cadence.objects.get(target_id=roadmap.pk, kind=Cadence.Kind.ROADMAP)
    assert cadence.interval_days == 14 and cadence.owner.username == "lead"
    plan(5, title="First")
    response = api_clients["lead"].post(
        f"/api/v1/roadmaps/{roadmap.pk}/complete-review/", {"notes": "All on track"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    review = Review.objects.get(pk=body["review"])
    assert review.notes == "All on track"
    assert Snapshot.objects.get(pk=body["snapshot"]).review == review
    assert body["next_due_on"] == str(timezone.localdate() + dt.timedelta(days=14))
    assert [c["title"] for c in body["changes"]] == ["First"]
    # the next review compares against this one
    response = api_clients["lead"].post(
        f"/api/v1/roadmaps/{roadmap.pk}/complete-review/", {}, format="json"
    )
    assert response.json()["changes"] == []


@pytest.mark.django_db
def test_review_page_completes_review(clients, roadmap, plan):
    plan(5, title="Pending")
    page = clients["lead"].get(f"/roadmap/{roadmap.pk}/review/").content.decode()
    assert "Pending" in page and "added" in page
    response = clients["lead"].post(f"/roadmap/{roadmap.pk}/review/", {"notes": "ok"})
    assert response.status_code == 302
    assert Review.objects.filter(notes="ok").exists()
    assert (
        clients["member"].post(f"/roadmap/{roadmap.pk}/review/", {"notes": "x"}).status_code == 403
    )
    assert (
        clients["member"].post(f"/roadmap/{roadmap.pk}/snapshots/", {"note": "x"}).status_code
        == 403
    )
