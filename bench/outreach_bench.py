"""The contact budget's pre-flight at 100,000 touches: the function alone, the API answer, and
a plan page listing 50 contacts each with its answer. Run with
`python bench/outreach_bench.py` (or `make bench`); it fails if the pre-flight's median passes 10 ms.

Touches spread over two years across 500 accounts of 10 contacts each; the timed contact is
at the busiest account, touched recently (so every rule has rows to weigh) and blacked out by
a renewal (so the search for the next allowed day runs too)."""

import datetime as dt
import random

from harness import (
    analyze,
    baseline,
    client,
    measure,
    measure_call,
    report,
    throwaway_database,
    timed,
)

TOUCHES = 100_000
ACCOUNTS = 500
CONTACTS_PER_ACCOUNT = 10
DAYS = 730
TARGET_MS = 10.0


def build():
    from outreach.models import Account, Contact, OutreachPlan, Touch
    from prodops.accounts.models import Team, User

    rng = random.Random(14)
    today = dt.date.today()  # noqa: DTZ011 - the bench runs in the server's zone like the app
    member = User.objects.create_user("bench-member", password="pw", role="lead")
    team = Team.objects.create(name="Research", slug="research", lead=member)
    accounts = Account.objects.bulk_create(
        [
            Account(
                name=f"Account {i}",
                renewal_date=today + dt.timedelta(days=rng.randint(1, 400)),
            )
            for i in range(ACCOUNTS)
        ]
    )
    contacts = Contact.objects.bulk_create(
        [
            Contact(account=a, name=f"Person {a.pk}-{j}", email=f"p{a.pk}-{j}@bench.example")
            for a in accounts
            for j in range(CONTACTS_PER_ACCOUNT)
        ],
        batch_size=2000,
    )
    plan = OutreachPlan.objects.create(
        title="Bench interviews",
        purpose="research_interview",
        team=team,
        starts_on=today,
        ends_on=today + dt.timedelta(days=30),
        created_by=member,
    )
    rows = []
    for i in range(TOUCHES):
        contact = contacts[rng.randrange(len(contacts))]
        rows.append(
            Touch(
                contact=contact,
                account_id=contact.account_id,
                plan=plan if i % 3 == 0 else None,
                on=today - dt.timedelta(days=rng.randint(0, DAYS)),
                channel="email",
                by=member,
            )
        )
    Touch.objects.bulk_create(rows, batch_size=5000)
    hot = contacts[0]
    Touch.objects.bulk_create(
        [
            Touch(
                contact=hot,
                account_id=hot.account_id,
                plan=plan,
                on=today - dt.timedelta(days=d),
                channel="call",
                by=member,
            )
            for d in (3, 12)
        ]
    )
    Account.objects.filter(pk=hot.account_id).update(renewal_date=today + dt.timedelta(days=20))
    plan.accounts.set(accounts[:5])
    analyze()
    return member, Contact.objects.select_related("account").get(pk=hot.pk), plan


def explain(call) -> str:
    """The database's own time for each statement of one call (EXPLAIN ANALYZE), which a
    loaded machine disturbs far less than wall-clock time in Python."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    lines = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
            plan = cursor.fetchone()[0][0]
            lines.append(
                f"  {plan['Execution Time']:.3f} ms execution, {plan['Planning Time']:.3f} ms"
                f" planning: {plan['Plan']['Node Type']} · {query['sql'][:90]}…"
            )
    return "pre-flight statements, server side:\n" + "\n".join(lines)


def main() -> None:
    with throwaway_database():
        from outreach.budget import preflight
        from outreach.models import Contact

        (member, hot, plan), build_seconds = timed(build)

        def check():
            # A fresh contact row each call, as a request would load it.
            contact = Contact.objects.select_related("account").get(pk=hot.pk)
            return preflight(contact)

        answer = check()
        assert not answer.allowed and answer.next_allowed_on is not None, answer
        signed_in = client(member)
        loaded = Contact.objects.select_related("account").get(pk=hot.pk)
        pre = measure_call(lambda: preflight(loaded), runs=200)
        rows = [
            ("preflight(contact)", pre),
            ("preflight(contact) incl. loading it", measure_call(check, runs=200)),
            (
                "GET /api/v1/contacts/{id}/preflight/",
                measure(signed_in, f"/api/v1/contacts/{hot.pk}/preflight/"),
            ),
            (
                "plan page, 50 contacts with answers",
                measure(signed_in, f"/outreach/plans/{plan.pk}/"),
            ),
        ]
        print(explain(lambda: preflight(loaded)))
        report(
            "outreach",
            baseline(signed_in),
            rows,
            note=f"{TOUCHES:,} touches over {ACCOUNTS * CONTACTS_PER_ACCOUNT:,} contacts, built in {build_seconds:.1f} s",
        )
        if pre.median_ms > TARGET_MS:
            raise SystemExit(f"pre-flight median {pre.median_ms:.2f} ms is over {TARGET_MS} ms")


if __name__ == "__main__":
    main()
