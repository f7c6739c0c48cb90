"""Reopening a final pack (browser and API, history kept with who and why); the commitments
API with its "plan" action; revoking share links through the API; the role matrix of each."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from intake.models import RequestStatus
from packs import selectors, services
from packs.models import Commitment, PackReopening, ReviewPack
from prodops.accounts.roles import Role
from prodops.core.errors import ValidationFailed
from roadmap.models import RoadmapItem, UnplannedEntry
from tests.factories import ObjectiveFactory, RequestFactory, UserFactory

LIST = "/api/v1/review-packs/"


@pytest.fixture
def final_pack(quarter, users):
    pack = services.pack_create(actor=users["lead"], team=quarter["team"], period="2026-Q3")
    pack = services.pack_update(pack=pack, actor=users["lead"], narrative="First take.")
    return services.pack_finalize(pack=pack, actor=users["lead"])


@pytest.fixture
def other_lead(other_team):
    lead = UserFactory(role=Role.LEAD)
    other_team.lead = lead
    other_team.save()
    client = APIClient()
    client.force_login(lead)
    return client


def _grow_unplanned(quarter):
    import datetime as dt
    from decimal import Decimal

    UnplannedEntry.objects.create(
        roadmap=quarter["q3"],
        day=dt.date(2026, 9, 1),
        days=Decimal(9),
        what="Late fire",
        requested_by="CFO",
        category="bug",
    )


def test_reopen_keeps_the_frozen_snapshot_with_who_and_why(final_pack, quarter, users):
    frozen = final_pack.figures
    _grow_unplanned(quarter)
    with pytest.raises(ValidationFailed) as no_reason:
        services.pack_reopen(pack=final_pack, actor=users["lead"], reason="  ")
    assert no_reason.value.field == "reason"
    pack = services.pack_reopen(
        pack=final_pack, actor=users["lead"], reason="Late unplanned work", expected_version=3
    )
    assert (pack.status, pack.figures, pack.finalized_at, pack.version) == ("draft", None, None, 4)
    kept = PackReopening.objects.get(pack=pack)
    assert kept.figures == frozen and kept.narrative == "First take."
    assert (kept.reopened_by, kept.finalized_by, kept.reason) == (
        users["lead"],
        users["lead"],
        "Late unplanned work",
    )
    # A draft again: figures are live (the late 9 days count) until finalized anew.
    assert selectors.pack_figures(pack)["sections"]["buffer"]["unplanned_days"] == "19.0"
    again = services.pack_finalize(pack=pack, actor=users["lead"], expected_version=4)
    assert again.figures["sections"]["buffer"]["unplanned_days"] == "19.0"
    assert kept.figures["sections"]["buffer"]["unplanned_days"] == "10.0"


def test_reopen_is_for_final_packs_and_their_lead(final_pack, quarter, users):
    from prodops.core.errors import EditConflict, NotAllowed

    with pytest.raises(NotAllowed):
        services.pack_reopen(pack=final_pack, actor=users["member"], reason="x")
    with pytest.raises(EditConflict):
        services.pack_reopen(pack=final_pack, actor=users["lead"], reason="x", expected_version=1)
    draft = services.pack_create(actor=users["lead"], team=quarter["team"], period="2026-Q4")
    with pytest.raises(ValidationFailed) as refused:
        services.pack_reopen(pack=draft, actor=users["lead"], reason="x")
    assert refused.value.field == "status"


def test_reopen_in_the_browser(final_pack, clients, users):
    page = clients["lead"].get(final_pack.get_absolute_url()).content.decode()
    assert 'data-testid="reopen"' in page
    member_page = clients["member"].get(final_pack.get_absolute_url()).content.decode()
    assert 'data-testid="reopen"' not in member_page
    url = reverse("packs:reopen", args=[final_pack.pk])
    assert clients["member"].post(url, {"version": 3, "reason": "x"}).status_code == 403
    missing = clients["lead"].post(url, {"version": 3, "reason": ""})
    assert missing.status_code == 400
    response = clients["lead"].post(url, {"version": 3, "reason": "Numbers were off"})
    assert response.status_code == 302
    assert ReviewPack.objects.get(pk=final_pack.pk).status == "draft"
    page = clients["member"].get(final_pack.get_absolute_url()).content.decode()
    assert "Numbers were off" in page and 'data-testid="pack-history"' in page
    kept = PackReopening.objects.get()
    history = clients["member"].get(reverse("packs:history", args=[final_pack.pk, kept.pk]))
    assert history.status_code == 200
    assert "First take." in history.content.decode()
    assert clients["stakeholder"].get(
        reverse("packs:history", args=[final_pack.pk, kept.pk])
    ).status_code in (302, 403)


def test_share_links_stop_while_reopened(final_pack, users, client):
    link = services.share_link_create(pack=final_pack, actor=users["lead"])
    assert client.get(link.get_absolute_url()).status_code == 200
    services.pack_reopen(pack=final_pack, actor=users["lead"], reason="Fixing a figure")
    assert client.get(link.get_absolute_url()).status_code == 404


def test_reopen_api_role_matrix_and_history(final_pack, api_clients, other_lead):
    url = f"{LIST}{final_pack.pk}/reopen/"
    body = {"version": 3, "reason": "Board wants Q3 redone"}
    assert api_clients["anonymous"].post(url, body, format="json").status_code in (401, 403)
    for role in ("stakeholder", "member"):
        assert api_clients[role].post(url, body, format="json").status_code == 403, role
    assert other_lead.post(url, body, format="json").status_code == 403
    no_reason = api_clients["lead"].post(url, {"version": 3}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    stale = api_clients["lead"].post(url, {**body, "version": 2}, format="json")
    assert stale.status_code == 409
    done = api_clients["lead"].post(url, body, format="json")
    assert done.status_code == 200, done.content
    data = done.json()
    assert data["status"] == "draft" and data["version"] == 4
    assert [h["reason"] for h in data["history"]] == ["Board wants Q3 redone"]
    assert data["history"][0]["figures"]["sections"]["intake"]["received"] == 5
    again = api_clients["lead"].post(url, {**body, "version": 4}, format="json")
    assert again.status_code == 400 and "status" in again.json()


def test_stakeholders_never_see_history(final_pack, api_clients, users):
    services.pack_reopen(pack=final_pack, actor=users["lead"], reason="Internal reason")
    pack = services.pack_finalize(
        pack=ReviewPack.objects.get(pk=final_pack.pk), actor=users["lead"]
    )
    data = api_clients["stakeholder"].get(f"{LIST}{pack.pk}/").json()
    assert data["history"] == [] and "Internal reason" not in str(data)


# --- commitments API -------------------------------------------------------------------------


@pytest.fixture
def draft(quarter, users):
    return services.pack_create(actor=users["lead"], team=quarter["team"], period="2026-Q4")


@pytest.fixture
def accepted(quarter):
    return RequestFactory(
        team=quarter["team"],
        status=RequestStatus.ACCEPTED,
        objective=ObjectiveFactory(title="Commission clarity"),
        title="Commission report v2",
    )


def _commitments(pack):
    return f"{LIST}{pack.pk}/commitments/"


def test_commitments_api_create_list_update_delete(draft, accepted, api_clients):
    url = _commitments(draft)
    made = api_clients["lead"].post(
        url, {"title": "Commission report v2", "request": accepted.pk}, format="json"
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["title"], body["request"], body["item"], body["version"]) == (
        "Commission report v2",
        accepted.pk,
        None,
        1,
    )
    listing = api_clients["member"].get(url).json()
    assert [c["title"] for c in listing["results"]] == ["Commission report v2"]
    one = f"{url}{body['id']}/"
    no_version = api_clients["lead"].patch(one, {"title": "Reworded"}, format="json")
    assert no_version.status_code == 400 and "version" in no_version.json()
    changed = api_clients["lead"].patch(one, {"title": "Reworded", "version": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = api_clients["lead"].patch(one, {"title": "Again", "version": 1}, format="json")
    assert stale.status_code == 409
    assert api_clients["lead"].delete(one).status_code == 204
    assert not Commitment.objects.exists()


def test_commitments_api_bad_input_names_the_field(draft, accepted, api_clients, other_team):
    url = _commitments(draft)
    empty = api_clients["lead"].post(url, {"title": ""}, format="json")
    assert empty.status_code == 400 and "title" in empty.json()
    theirs = RequestFactory(team=other_team, status=RequestStatus.ACCEPTED)
    wrong_team = api_clients["lead"].post(url, {"title": "x", "request": theirs.pk}, format="json")
    assert wrong_team.status_code == 400 and "request" in wrong_team.json()
    new = RequestFactory(team=draft.team, status=RequestStatus.NEW)
    not_accepted = api_clients["lead"].post(url, {"title": "x", "request": new.pk}, format="json")
    assert not_accepted.status_code == 400 and "request" in not_accepted.json()
    nowhere = api_clients["lead"].post(url, {"title": "x", "request": 999999}, format="json")
    assert nowhere.status_code == 400 and "request" in nowhere.json()
    assert api_clients["lead"].get(f"{LIST}999999/commitments/").status_code == 404


def test_commitments_api_role_matrix(draft, accepted, api_clients, other_lead, users):
    url = _commitments(draft)
    commitment = services.commitment_add(pack=draft, actor=users["lead"], title="Keep")
    one = f"{url}{commitment.pk}/"
    body = {"title": "New"}
    assert api_clients["anonymous"].get(url).status_code in (401, 403)
    assert api_clients["stakeholder"].get(url).status_code == 403
    assert api_clients["member"].get(one).status_code == 200
    for client in (api_clients["stakeholder"], api_clients["member"], other_lead):
        assert client.post(url, body, format="json").status_code == 403
        assert client.patch(one, {"title": "x", "version": 1}, format="json").status_code == 403
        assert client.delete(one).status_code == 403
        assert client.post(f"{one}plan/", {}, format="json").status_code == 403
    assert api_clients["admin"].post(url, body, format="json").status_code == 201
    assert api_clients["lead"].post(url, body, format="json").status_code == 201


def test_commitments_of_a_final_pack_are_frozen(final_pack, api_clients, users):
    url = _commitments(final_pack)
    refused = api_clients["lead"].post(url, {"title": "Late idea"}, format="json")
    assert refused.status_code == 400 and "status" in refused.json()


def test_plan_action_makes_a_draft_item_on_next_quarters_roadmap(draft, accepted, api_clients):
    url = _commitments(draft)
    made = (
        api_clients["lead"]
        .post(url, {"title": "Commission report v2", "request": accepted.pk}, format="json")
        .json()
    )
    bad = api_clients["lead"].post(
        f"{url}{made['id']}/plan/", {"estimate_days": "lots"}, format="json"
    )
    assert bad.status_code == 400 and "estimate_days" in bad.json()
    planned = api_clients["lead"].post(
        f"{url}{made['id']}/plan/", {"estimate_days": "4"}, format="json"
    )
    assert planned.status_code == 200, planned.content
    data = planned.json()
    assert data["roadmap_period"] == "2027-Q1"
    item = RoadmapItem.objects.get(pk=data["item"])
    assert (item.title, item.visibility, item.lane, str(item.estimate_days)) == (
        "Commission report v2",
        "internal",
        "next",
        "4.0",
    )
    assert item.roadmap.team == draft.team
    again = api_clients["lead"].post(f"{url}{made['id']}/plan/", {}, format="json")
    assert again.status_code == 400 and "item" in again.json()
    no_request = api_clients["lead"].post(url, {"title": "Be faster"}, format="json").json()
    refused = api_clients["lead"].post(f"{url}{no_request['id']}/plan/", {}, format="json")
    assert refused.status_code == 400 and "request" in refused.json()


def test_commitments_list_query_count_does_not_grow(draft, api_clients, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api_clients["member"].get(_commitments(draft)).status_code == 200
        return len(ctx)

    services.commitment_add(pack=draft, actor=users["lead"], title="One")
    few = count()
    for i in range(6):
        services.commitment_add(pack=draft, actor=users["lead"], title=f"More {i}")
    assert count() == few


def test_commitment_remove_in_the_browser(draft, clients, users):
    commitment = services.commitment_add(pack=draft, actor=users["lead"], title="Drop me")
    url = reverse("packs:commitment_remove", args=[draft.pk, commitment.pk])
    assert clients["member"].post(url).status_code == 403
    assert clients["lead"].post(url).status_code == 302
    assert not Commitment.objects.exists()


# --- revoking share links through the API ------------------------------------------------------


def test_share_link_revoke_api(final_pack, api_clients, other_lead, users, client):
    link = services.share_link_create(pack=final_pack, actor=users["lead"], label="Board")
    url = f"{LIST}{final_pack.pk}/share-links/{link.pk}/revoke/"
    assert api_clients["anonymous"].post(url).status_code in (401, 403)
    for c in (api_clients["stakeholder"], api_clients["member"], other_lead):
        assert c.post(url).status_code == 403
    assert client.get(link.get_absolute_url()).status_code == 200
    done = api_clients["lead"].post(url)
    assert done.status_code == 200 and done.json()["revoked_at"] is not None
    assert client.get(link.get_absolute_url()).status_code == 404
    assert api_clients["admin"].post(url).status_code == 200  # revoking again changes nothing
    assert (
        api_clients["lead"].post(f"{LIST}{final_pack.pk}/share-links/999999/revoke/").status_code
        == 404
    )


def test_new_endpoints_are_in_the_schema(api_clients):
    schema = api_clients["admin"].get("/api/schema/").content.decode()
    for path in (
        "/api/v1/review-packs/{pack_pk}/commitments/",
        "/api/v1/review-packs/{pack_pk}/commitments/{id}/",
        "/api/v1/review-packs/{pack_pk}/commitments/{id}/plan/",
        "/api/v1/review-packs/{id}/reopen/",
        "/api/v1/review-packs/{id}/share-links/{link_pk}/revoke/",
    ):
        assert path in schema, path
