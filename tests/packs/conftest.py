"""A hand-built quarter (2026-Q3) whose every figure the tests know in advance."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.models import Request, RequestStatus, StatusChange
from roadmap import snapshots
from roadmap.models import (
    ItemPeriodMove,
    Overcommit,
    Roadmap,
    RoadmapItem,
    Snapshot,
    UnplannedEntry,
)
from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    ObjectiveFactory,
    RequestFactory,
    TeamFactory,
)

UTC = dt.UTC


def at(y, m, d, h=0):
    return dt.datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
def team(users):
    """Two people at 50 days × 100 % → capacity 100; at 25 % buffer, 25 buffer days."""
    team = TeamFactory(name="Marketing Ops", slug="marketing-ops", lead=users["lead"])
    MembershipFactory(team=team, user=users["lead"], capacity_days=50, allocation_percent=100)
    MembershipFactory(team=team, user=users["member"], capacity_days=50, allocation_percent=100)
    return team


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Sales Ops", slug="sales-ops")


def _request(*, created, triaged=None, **fields):
    request = RequestFactory(**fields)
    Request.objects.filter(pk=request.pk).update(created_at=created, first_triaged_at=triaged)
    request.refresh_from_db()
    return request


def _change(request, to, when):
    change = StatusChange.objects.create(request=request, from_status="scored", to_status=to)
    StatusChange.objects.filter(pk=change.pk).update(created_at=when)


def _roadmap(team, period, start, end):
    return Roadmap.objects.create(team=team, period=period, period_start=start, period_end=end)


def _item(roadmap, objective, title, estimate, *, status="planned", public_title="", position=0):
    return RoadmapItem.objects.create(
        roadmap=roadmap,
        objective=objective,
        title=title,
        public_title=public_title,
        visibility="shared" if public_title else "internal",
        estimate_days=Decimal(estimate),
        status=status,
        position=position,
        internal_notes=f"secret note on {title}",
    )


@pytest.fixture
def quarter(team, other_team, users, settings):
    """2026-Q3 of Marketing Ops, built by hand:

    intake: received r1 (Sales, internal, 2 h to triage), r2 (Sales, external, 24 h), r3
    (Finance, both, 4 h), r4 (no department, internal, 10 h), r5 (Finance, internal,
    untriaged); r6 received in Q2 and still untriaged; r7 is Sales Ops'. Decisions in the
    quarter: r1 accepted (twice: counted once), r2 declined, r3 deflected, r4 duplicate; a
    deflection in June does not count.

    roadmap: first snapshot holds A (shared, shipped), B (internal, shipped), C (shared, in
    progress), D (internal, moved to 2026-Q4), E (internal, taken off); F (shared, shipped)
    was added after it. One over-commit override.

    buffer: unplanned 3 (a support escalation) + 2 (an ad-hoc request) days asked by Sales VP,
    5 (compliance) by CFO.
    """
    settings.PACKS_DEFLECTION_HANDLING_HOURS = 1.5
    sales = DepartmentFactory(name="Sales", slug="sales")
    finance = DepartmentFactory(name="Finance", slug="finance")
    r1 = _request(
        created=at(2026, 7, 1, 10),
        triaged=at(2026, 7, 1, 12),
        team=team,
        department=sales,
        status=RequestStatus.ACCEPTED,
        title="Commission report",
    )
    r2 = _request(
        created=at(2026, 7, 2),
        triaged=at(2026, 7, 3),
        team=team,
        department=sales,
        audience="external",
        status=RequestStatus.DECLINED,
    )
    r3 = _request(
        created=at(2026, 8, 1),
        triaged=at(2026, 8, 1, 4),
        team=team,
        department=finance,
        audience="both",
        status=RequestStatus.DEFLECTED,
    )
    r4 = _request(
        created=at(2026, 8, 2),
        triaged=at(2026, 8, 2, 10),
        team=team,
        department=None,
        status=RequestStatus.DUPLICATE,
    )
    _request(
        created=at(2026, 9, 29),
        team=team,
        department=finance,
        status=RequestStatus.NEW,
        title="Untriaged secret ask",
    )
    r6 = _request(
        created=at(2026, 6, 30),
        team=team,
        department=sales,
        status=RequestStatus.NEEDS_INFO,
        title="Oldest secret ask",
    )
    r7 = _request(
        created=at(2026, 7, 5),
        triaged=at(2026, 7, 5, 1),
        team=other_team,
        department=sales,
        status=RequestStatus.ACCEPTED,
    )
    _change(r1, "accepted", at(2026, 7, 2))
    _change(r1, "accepted", at(2026, 7, 3))
    _change(r2, "declined", at(2026, 7, 4))
    _change(r3, "deflected", at(2026, 8, 2))
    _change(r4, "duplicate", at(2026, 8, 3))
    _change(r6, "deflected", at(2026, 6, 30, 5))
    _change(r7, "accepted", at(2026, 7, 6))

    grow = ObjectiveFactory(title="Grow NRR", period="2026")
    retain = ObjectiveFactory(title="Retain customers", period="2026-Q3")
    ObjectiveFactory(title="Old goal", period="2025")
    q3 = _roadmap(team, "2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    q4 = _roadmap(team, "2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    a = _item(q3, grow, "Alpha", 10, status="shipped", public_title="Alpha public", position=0)
    b = _item(q3, grow, "Bravo secret", 20, status="shipped", position=1)
    c = _item(
        q3, retain, "Charlie", 5, status="in_progress", public_title="Charlie public", position=2
    )
    d = _item(q3, retain, "Delta secret", 8, position=3)
    e = _item(q3, grow, "Echo secret", 3, position=4)
    first = Snapshot.objects.create(
        roadmap=q3, data=snapshots.roadmap_state([a, b, c, d, e]), taken_by=users["lead"]
    )
    Snapshot.objects.filter(pk=first.pk).update(taken_at=at(2026, 7, 1))
    f = _item(q3, grow, "Foxtrot", 4, status="shipped", public_title="Foxtrot public", position=5)
    later = Snapshot.objects.create(
        roadmap=q3, data=snapshots.roadmap_state([a, b, c, d, f]), taken_by=users["lead"]
    )
    Snapshot.objects.filter(pk=later.pk).update(taken_at=at(2026, 8, 1))
    d.roadmap = q4
    d.save()
    ItemPeriodMove.objects.create(item=d, from_roadmap=q3, to_roadmap=q4, moved_by=users["lead"])
    e.delete()
    Overcommit.objects.create(
        roadmap=q3,
        item=b,
        reason="Board asked for it secretly",
        planned_days=Decimal("80"),
        plannable_days=Decimal("75"),
        actor=users["lead"],
    )
    for days, who, category in (
        (3, "Sales VP", "support_escalation"),
        (2, "Sales VP", "ad_hoc_request"),
        (5, "CFO", "compliance"),
    ):
        UnplannedEntry.objects.create(
            roadmap=q3,
            day=dt.date(2026, 8, 10),
            days=Decimal(days),
            what="Fire drill",
            requested_by=who,
            category=category,
        )
    return {
        "team": team,
        "q3": q3,
        "q4": q4,
        "items": {"A": a, "B": b, "C": c, "F": f},
        "objectives": {"grow": grow, "retain": retain},
        "departments": (sales, finance),
        "now": timezone.now(),
    }
