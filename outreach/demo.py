"""Demo customer outreach: four accounts (one with an open escalation, one renewing within
the month), their contacts (one opted out), two teams' plans and a few touches, so every
rule of the contact budget has something to show. Idempotent: accounts, contacts and plans
are looked up by name, email and title, and touches are only added to an empty history."""

import datetime as dt

from django.utils import timezone

from prodops.accounts.models import Team, User

from .models import Account, Contact, OutreachPlan, Touch

# name, segment, health, open escalation, renewal in days (None: not set), owner
ACCOUNTS = [
    ("Acme Corp", Account.Segment.ENTERPRISE, Account.Health.GOOD, False, 200, "stakeholder"),
    ("Globex", Account.Segment.MID_MARKET, Account.Health.POOR, True, 120, "carla"),
    ("Initech", Account.Segment.MID_MARKET, Account.Health.AT_RISK, False, 20, "stakeholder"),
    ("Umbrella Health", Account.Segment.SMB, Account.Health.GOOD, False, None, "carla"),
]

# account, name, role, email, opted out
CONTACTS = [
    ("Acme Corp", "Alice Archer", "VP Operations", "alice@acme.example", False),
    ("Acme Corp", "Ben Brooks", "Ops Analyst", "ben@acme.example", False),
    ("Acme Corp", "Cora Cruz", "Procurement", "cora@acme.example", True),
    ("Globex", "Dev Desai", "CTO", "dev@globex.example", False),
    ("Initech", "Eve Ellis", "Head of Finance", "eve@initech.example", False),
    ("Umbrella Health", "Finn Ford", "Clinic Manager", "finn@umbrella.example", False),
]

# title, purpose, team slug, accounts, contacts (emails), starts in days, lasts days, serves
PLANS = [
    (
        "Onboarding friction interviews",
        OutreachPlan.Purpose.RESEARCH,
        "product-ops",
        ["Acme Corp", "Globex"],
        [],
        -10,
        30,
        "Time-to-first-report, the onboarding objective's metric",
    ),
    (
        "Campaign builder beta",
        OutreachPlan.Purpose.BETA,
        "marketing-ops",
        [],
        ["ben@acme.example", "eve@initech.example", "finn@umbrella.example"],
        0,
        21,
        "The campaign builder roadmap item",
    ),
]

# contact email, days ago, plan title (or None), by, channel, outcome, notes
TOUCHES = [
    ("alice@acme.example", 5, "Onboarding friction interviews", "tom", "video", "completed", ""),
    ("ben@acme.example", 40, None, "member", "call", "reached", "Quarterly check-in."),
    ("finn@umbrella.example", 9, None, "carla", "email", "reached", "Renewal paperwork."),
]


def seed(stdout) -> None:
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.all()}
    accounts = {}
    for name, segment, health, escalation, renewal_in, owner in ACCOUNTS:
        accounts[name], _ = Account.objects.get_or_create(
            name=name,
            defaults={
                "segment": segment,
                "health": health,
                "open_escalation": escalation,
                "renewal_date": today + dt.timedelta(days=renewal_in) if renewal_in else None,
                "owner": users.get(owner),
            },
        )
    contacts = {}
    for account, name, role, email, opted_out in CONTACTS:
        contacts[email], _ = Contact.objects.get_or_create(
            email=email,
            defaults={
                "account": accounts[account],
                "name": name,
                "role": role,
                "opted_out": opted_out,
            },
        )
    teams = {t.slug: t for t in Team.objects.all()}
    plans = {}
    for title, purpose, team, plan_accounts, plan_contacts, starts, lasts, serves in PLANS:
        if team not in teams:
            continue
        plan, created = OutreachPlan.objects.get_or_create(
            title=title,
            defaults={
                "purpose": purpose,
                "team": teams[team],
                "starts_on": today + dt.timedelta(days=starts),
                "ends_on": today + dt.timedelta(days=starts + lasts),
                "serves": serves,
                "status": OutreachPlan.Status.ACTIVE,
                "created_by": teams[team].lead,
            },
        )
        if created:
            plan.accounts.set([accounts[a] for a in plan_accounts])
            plan.contacts.set([contacts[c] for c in plan_contacts])
        plans[title] = plan
    if not Touch.objects.exists():
        for email, days_ago, plan, by, channel, outcome, notes in TOUCHES:
            contact = contacts[email]
            Touch.objects.create(
                contact=contact,
                account=contact.account,
                plan=plans.get(plan) if plan else None,
                on=today - dt.timedelta(days=days_ago),
                by=users.get(by),
                channel=channel,
                outcome=outcome,
                notes=notes,
            )
    stdout.write(
        f"Outreach: {len(accounts)} accounts, {len(contacts)} contacts, {len(plans)} plans."
    )
