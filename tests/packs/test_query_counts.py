"""Assembling a pack, its page, its API answer and the list cost the same number of queries
whatever the quarter holds."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import RequestStatus, StatusChange
from packs import selectors, services
from roadmap.models import RoadmapItem, UnplannedEntry
from tests.factories import DepartmentFactory, RequestFactory, TeamFactory

from .conftest import at


def _grow(quarter, n):
    """n more requests, decisions, items, unplanned entries and departments in the quarter."""
    team, q3 = quarter["team"], quarter["q3"]
    for i in range(n):
        department = DepartmentFactory()
        request = RequestFactory(team=team, department=department, status=RequestStatus.DECLINED)
        type(request).objects.filter(pk=request.pk).update(
            created_at=at(2026, 8, 1 + i), first_triaged_at=at(2026, 8, 2 + i)
        )
        StatusChange.objects.create(request=request, from_status="triaged", to_status="declined")
        RoadmapItem.objects.create(
            roadmap=q3,
            objective=quarter["objectives"]["grow"],
            title=f"More {i}",
            estimate_days=Decimal(1),
            status="shipped" if i % 2 else "planned",
        )
        UnplannedEntry.objects.create(
            roadmap=q3, day=dt.date(2026, 8, 1), days=Decimal(1), what="x", requested_by=f"P{i}"
        )


def _count(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx)


def test_assembling_a_pack_costs_a_fixed_number_of_queries(quarter):
    scope = selectors.scope_of(
        services.pack_create(actor=quarter["team"].lead, team=quarter["team"], period="2026-Q3")
    )
    few = _count(lambda: selectors.figures_compute(scope))
    _grow(quarter, 8)
    assert _count(lambda: selectors.figures_compute(scope)) == few
    # Every section together; metrics (2), docs (3) and pricing (3) among them.
    assert few <= 26


def test_pack_page_and_api_cost_a_fixed_number_of_queries(quarter, clients, api_clients, users):
    pack = services.pack_create(actor=users["lead"], team=quarter["team"], period="2026-Q3")
    services.commitment_add(pack=pack, actor=users["lead"], title="One")
    page = _count(lambda: clients["lead"].get(pack.get_absolute_url()))
    api = _count(lambda: api_clients["member"].get(f"/api/v1/review-packs/{pack.pk}/"))
    _grow(quarter, 6)
    services.commitment_add(pack=pack, actor=users["lead"], title="Two")
    assert _count(lambda: clients["lead"].get(pack.get_absolute_url())) == page
    assert _count(lambda: api_clients["member"].get(f"/api/v1/review-packs/{pack.pk}/")) == api


def test_list_page_costs_a_fixed_number_of_queries(clients, users):
    def make(n):
        for _ in range(n):
            team = TeamFactory(lead=users["lead"])
            services.pack_create(actor=users["admin"], team=team, period="2026-Q3")

    make(2)
    few = _count(lambda: clients["member"].get("/packs/"))
    make(8)
    assert _count(lambda: clients["member"].get("/packs/")) == few
