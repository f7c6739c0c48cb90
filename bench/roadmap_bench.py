"""Roadmap board and public share page at 200 items, next to the trivial view. Run alone with
`python bench/roadmap_bench.py`, or with the others via `make bench`.

One team's quarter holds 200 items (a third in each lane, every other one shared), each
planning one request from its own requester and department, so the board's filters list 200
departments too."""

from decimal import Decimal

from harness import analyze, baseline, client, measure, report, throwaway_database, timed

ITEMS = 200
LANES = ("now", "next", "later")


def build():
    """The team, its roadmap and share link through the services; the requests, items and
    their links bulk-inserted in the state `roadmap_item_create` leaves them (requests
    planned, items positioned in order). Returns the member, the roadmap and the link."""
    from django.contrib.auth.hashers import make_password

    from intake.models import Request, RequestStatus
    from outcomes.models import Objective
    from prodops.accounts.models import Department, Team, TeamMembership, User
    from prodops.accounts.roles import Role
    from roadmap import services
    from roadmap.models import ItemRequest, RoadmapItem

    password = make_password("pw")
    lead, member, *requesters = User.objects.bulk_create(
        [
            User(username="bench-lead", password=password, role=Role.LEAD),
            User(username="bench-member", password=password, role=Role.MEMBER),
        ]
        + [
            User(username=f"requester-{n}", email=f"requester-{n}@example.com", password=password)
            for n in range(ITEMS)
        ]
    )
    team = Team.objects.create(name="Bench Ops", slug="bench-ops", lead=lead)
    TeamMembership.objects.bulk_create(
        [TeamMembership(team=team, user=lead), TeamMembership(team=team, user=member)]
    )
    objective = Objective.objects.create(
        title="Bench objective",
        level=Objective.Level.BUSINESS,
        period="2027",
        status=Objective.Status.ACTIVE,
    )
    roadmap = services.roadmap_create(actor=lead, team=team, period="2027-Q1")
    departments = Department.objects.bulk_create(
        [Department(name=f"Department {n}", slug=f"department-{n}") for n in range(ITEMS)]
    )
    requests = Request.objects.bulk_create(
        [
            Request(
                title=f"Request number {n}",
                description="Some **context** for the team.",
                requester=requesters[n],
                department=departments[n],
                category=Request.Category.CHANGE,
                objective=objective,
                status=RequestStatus.PLANNED,
            )
            for n in range(ITEMS)
        ]
    )
    items = RoadmapItem.objects.bulk_create(
        [
            RoadmapItem(
                roadmap=roadmap,
                title=request.title,
                objective=objective,
                estimate_days=Decimal("0.2"),
                lane=LANES[n % 3],
                visibility="shared" if n % 2 else "internal",
                public_title=f"Shared item {n}" if n % 2 else "",
                position=n,
            )
            for n, request in enumerate(requests)
        ]
    )
    ItemRequest.objects.bulk_create(
        [
            ItemRequest(item=item, request=request)
            for item, request in zip(items, requests, strict=True)
        ]
    )
    link = services.share_link_create(roadmap=roadmap, actor=lead)
    analyze()
    return member, roadmap, link


def main() -> None:
    with throwaway_database():
        (member, roadmap, link), seconds = timed(build)
        signed_in = client(member)
        anonymous = client()
        report(
            "roadmap",
            baseline(signed_in),
            [
                (f"roadmap board, {ITEMS} items", measure(signed_in, f"/roadmap/{roadmap.pk}/")),
                (
                    f"share page, {ITEMS // 2} shared of {ITEMS}",
                    measure(anonymous, f"/r/{link.token}/"),
                ),
                (
                    f"items API, {ITEMS} items (page of 50)",
                    measure(signed_in, f"/api/v1/roadmaps/{roadmap.pk}/items/"),
                ),
            ],
            note=f"{ITEMS} items, built in {seconds:.1f} s",
        )


if __name__ == "__main__":
    main()
