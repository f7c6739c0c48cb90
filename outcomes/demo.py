"""Demo objectives: business objectives and department objectives that roll up to them."""

from django.utils import timezone

from prodops.accounts.models import Department, User
from prodops.core.periods import quarter_of
from prodops.core.selectors import workspace_settings

from .models import Objective

BUSINESS = [
    ("Grow net revenue retention to 115 %", "lead"),
    ("Shorten sales cycle for mid-market deals", "priya"),
    ("Make self-serve trial-to-paid the main growth engine", "priya"),
    ("Cut cost to serve per account by 10 %", "lead"),
]

DEPARTMENT = [
    ("Give reps a one-click quote in CRM", "Sales", 1, "lead"),
    ("Reduce churn in first 90 days", "Customer Success", 0, "priya"),
    ("Launch lifecycle emails for trial users", "Marketing", 2, "lead"),
    ("Forecast revenue within 5 % accuracy", "Finance", 0, "priya"),
]


def seed(stdout) -> None:
    today = timezone.localdate()
    fiscal = workspace_settings().fiscal_year_start_month
    quarter = quarter_of(today, fiscal_start_month=fiscal).label
    year = quarter.split("-")[0]
    users = {u.username: u for u in User.objects.filter(username__in=["lead", "priya"])}
    business = []
    for title, owner in BUSINESS:
        objective, _ = Objective.objects.update_or_create(
            title=title,
            defaults={
                "level": Objective.Level.BUSINESS,
                "period": year,
                "owner": users[owner],
                "status": Objective.Status.ACTIVE,
            },
        )
        business.append(objective)
    for title, dept, parent_index, owner in DEPARTMENT:
        Objective.objects.update_or_create(
            title=title,
            defaults={
                "level": Objective.Level.DEPARTMENT,
                "department": Department.objects.get(name=dept),
                "parent": business[parent_index],
                "period": quarter,
                "owner": users[owner],
                "status": Objective.Status.ACTIVE,
            },
        )
    Objective.objects.update_or_create(
        title="Replace the legacy partner portal",
        defaults={
            "level": Objective.Level.BUSINESS,
            "period": str(int(year) - 1),
            "status": Objective.Status.DROPPED,
        },
    )
    stdout.write(f"  objectives: {Objective.objects.count()}")
