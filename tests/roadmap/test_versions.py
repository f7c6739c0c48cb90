"""Updates name the version they were loaded at: a missing one is refused naming `version`,
a stale one is a conflict (409), so nobody overwrites a change they never saw."""

import pytest

from prodops.reviews.models import Cadence


@pytest.fixture
def cadence(roadmap):
    return Cadence.objects.get(kind=Cadence.Kind.ROADMAP, target_id=roadmap.pk)


@pytest.fixture
def versioned(roadmap, plan, cadence):
    """(url, a valid change, the object) for each versioned API resource."""
    item = plan(5)
    return [
        (f"/api/v1/roadmaps/{roadmap.pk}/", {"notes": "New notes"}, roadmap),
        (f"/api/v1/roadmaps/{roadmap.pk}/items/{item.pk}/", {"lane": "now"}, item),
        (f"/api/v1/cadences/{cadence.pk}/", {"interval_days": 7}, cadence),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["patch", "put"])
def test_api_updates_need_the_version(api_clients, versioned, method):
    client = api_clients["lead"]
    for url, change, obj in versioned:
        call = getattr(client, method)
        response = call(url, change, format="json")
        assert response.status_code == 400, url
        assert "version" in response.json(), url
        obj.refresh_from_db()
        loaded = obj.version
        assert call(url, {**change, "version": loaded + 1}, format="json").status_code == 409
        response = call(url, {**change, "version": loaded}, format="json")
        assert response.status_code == 200, (url, response.json())
        assert call(url, {**change, "version": loaded}, format="json").status_code in (200, 409)


@pytest.mark.django_db
def test_browser_forms_carry_the_version(clients, roadmap, plan, cadence):
    item = plan(5)
    settings_url = f"/roadmap/{roadmap.pk}/settings/"
    html = clients["lead"].get(settings_url).content.decode()
    assert html.count('name="version"') == 2  # buffer & capacity, and the cadence
    edit_url = f"/roadmap/{roadmap.pk}/items/{item.pk}/edit/"
    assert 'name="version"' in clients["lead"].get(edit_url).content.decode()

    response = clients["lead"].post(settings_url, {"form": "settings", "buffer_percent": "22"})
    assert response.status_code == 400 and "Reload" in response.content.decode()
    response = clients["lead"].post(
        settings_url, {"form": "cadence", "interval_days": "7", "next_due_on": "2027-02-01"}
    )
    assert response.status_code == 400
    response = clients["lead"].post(
        edit_url,
        {
            "form": "item",
            "title": "Renamed",
            "estimate_days": "5",
            "status": "planned",
            "objective": item.objective_id,
            "lane": "now",
            "visibility": "internal",
        },
    )
    assert response.status_code == 400
    roadmap.refresh_from_db()
    cadence.refresh_from_db()
    item.refresh_from_db()
    assert (roadmap.buffer_percent, cadence.interval_days) == (25, 14)
    assert (item.title, item.lane) != ("Renamed", "now")


@pytest.mark.django_db
def test_stale_browser_edits_are_a_409_with_a_clear_message(clients, roadmap, plan, cadence):
    item = plan(5)
    edit_url = f"/roadmap/{roadmap.pk}/items/{item.pk}/edit/"
    fields = {
        "form": "item",
        "title": "Renamed",
        "estimate_days": "5",
        "status": "planned",
        "objective": item.objective_id,
        "lane": "now",
        "visibility": "internal",
    }
    stale = clients["member"].post(edit_url, {**fields, "version": item.version - 1})
    assert stale.status_code == 409
    assert "Someone else changed this since you opened it" in stale.content.decode()
    item.refresh_from_db()
    assert item.title != "Renamed"
    settings_url = f"/roadmap/{roadmap.pk}/settings/"
    stale = clients["lead"].post(
        settings_url,
        {"form": "settings", "buffer_percent": "22", "version": roadmap.version - 1},
    )
    assert stale.status_code == 409 and "Someone else changed" in stale.content.decode()
    stale = clients["lead"].post(
        settings_url,
        {
            "form": "cadence",
            "interval_days": "7",
            "next_due_on": "2027-02-01",
            "version": cadence.version - 1,
        },
    )
    assert stale.status_code == 409
    done = clients["member"].post(edit_url, {**fields, "version": item.version})
    assert done.status_code == 302
