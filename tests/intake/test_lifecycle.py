"""Every move the lifecycle allows, and every one it refuses, through the one service."""

import datetime as dt

import pytest
from django.utils import timezone

from intake import lifecycle
from intake.models import RequestStatus as S
from intake.models import StatusChange
from intake.services import request_transition
from prodops.accounts.roles import Role
from prodops.core.errors import NotAllowed, ValidationFailed
from tests.factories import RequestFactory, UserFactory, triage_team

from .conftest import set_status

TOMORROW = timezone.localdate() + dt.timedelta(days=1)
ALLOWED = sorted((src, dst) for (src, dst) in lifecycle.MOVES if dst != S.DUPLICATE)
REFUSED = sorted(
    (src, dst)
    for src in S.values
    for dst in S.values
    if src != dst and (src, dst) not in lifecycle.MOVES
)


def _extras(target):
    return {"reason": "Because the team said so.", "revisit_on": TOMORROW}


@pytest.mark.django_db
@pytest.mark.parametrize(("src", "dst"), ALLOWED)
def test_each_allowed_move_succeeds_with_the_role_it_needs(src, dst):
    minimum = lifecycle.MOVES[(src, dst)]
    actor = UserFactory(role=minimum)
    req = set_status(RequestFactory(team=triage_team()), src)
    request_transition(request=req, to=dst, actor=actor, **_extras(dst))
    req.refresh_from_db()
    assert req.status == dst
    change = StatusChange.objects.get(request=req)
    assert (change.from_status, change.to_status, change.actor) == (src, dst, actor)


@pytest.mark.django_db
@pytest.mark.parametrize(("src", "dst"), ALLOWED)
def test_each_allowed_move_is_refused_one_role_below(src, dst):
    minimum = lifecycle.MOVES[(src, dst)]
    below = {Role.MEMBER: Role.STAKEHOLDER, Role.LEAD: Role.MEMBER}[minimum]
    req = set_status(RequestFactory(), src)
    with pytest.raises(NotAllowed, match="role or higher"):
        request_transition(request=req, to=dst, actor=UserFactory(role=below), **_extras(dst))
    req.refresh_from_db()
    assert req.status == src
    assert not StatusChange.objects.filter(request=req).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("src", "dst"), REFUSED)
def test_each_move_outside_the_table_is_refused_with_the_reason(src, dst):
    req = set_status(RequestFactory(), src)
    with pytest.raises(ValidationFailed) as info:
        request_transition(request=req, to=dst, actor=UserFactory(role=Role.ADMIN), **_extras(dst))
    assert info.value.field == "to"
    if dst != S.DUPLICATE or (src, dst) not in lifecycle.MOVES:
        assert "cannot move" in info.value.message
    req.refresh_from_db()
    assert req.status == src


@pytest.mark.django_db
def test_declined_needs_a_reason(member):
    req = RequestFactory()
    with pytest.raises(ValidationFailed) as info:
        request_transition(request=req, to=S.DECLINED, actor=member, reason="  ")
    assert info.value.field == "reason"
    request_transition(request=req, to=S.DECLINED, actor=member, reason="Out of scope")
    req.refresh_from_db()
    assert (req.status, req.status_reason) == (S.DECLINED, "Out of scope")


@pytest.mark.django_db
def test_parked_needs_a_future_revisit_date(member):
    req = RequestFactory()
    with pytest.raises(ValidationFailed) as info:
        request_transition(request=req, to=S.PARKED, actor=member)
    assert info.value.field == "revisit_on"
    with pytest.raises(ValidationFailed) as info:
        request_transition(request=req, to=S.PARKED, actor=member, revisit_on=timezone.localdate())
    assert info.value.field == "revisit_on"
    request_transition(request=req, to=S.PARKED, actor=member, revisit_on=TOMORROW)
    req.refresh_from_db()
    assert (req.status, req.revisit_on) == (S.PARKED, TOMORROW)


@pytest.mark.django_db
def test_duplicate_only_by_merging(member):
    req = RequestFactory()
    with pytest.raises(ValidationFailed, match="merging"):
        request_transition(request=req, to=S.DUPLICATE, actor=member)


@pytest.mark.django_db
@pytest.mark.parametrize("target", [S.NEEDS_INFO, S.DEFLECTED])
def test_asking_for_info_and_deflecting_need_a_reason(member, target):
    req = RequestFactory()
    with pytest.raises(ValidationFailed) as info:
        request_transition(request=req, to=target, actor=member)
    assert info.value.field == "reason"


@pytest.mark.django_db
def test_requester_answers_own_needs_info_but_not_someone_elses(stakeholder, other_stakeholder):
    mine = set_status(RequestFactory(requester=stakeholder), S.NEEDS_INFO)
    theirs = set_status(RequestFactory(requester=other_stakeholder), S.NEEDS_INFO)
    request_transition(request=mine, to=S.NEW, actor=stakeholder)
    mine.refresh_from_db()
    assert mine.status == S.NEW
    with pytest.raises(NotAllowed):
        request_transition(request=theirs, to=S.NEW, actor=stakeholder)


@pytest.mark.django_db
def test_first_triage_decision_stamps_time_to_triage_once(member):
    req = RequestFactory()
    request_transition(request=req, to=S.NEEDS_INFO, actor=member, reason="Which region?")
    req.refresh_from_db()
    first = req.first_triaged_at
    assert first is not None and req.time_to_triage >= dt.timedelta(0)
    request_transition(request=req, to=S.NEW, actor=member)
    request_transition(request=req, to=S.TRIAGED, actor=member, team=triage_team())
    req.refresh_from_db()
    assert req.first_triaged_at == first


@pytest.mark.django_db
def test_stale_version_is_refused(member):
    from prodops.core.errors import EditConflict

    req = RequestFactory()
    with pytest.raises(EditConflict):
        request_transition(
            request=req, to=S.TRIAGED, actor=member, expected_version=req.version + 5
        )
    req.refresh_from_db()
    assert req.status == S.NEW
