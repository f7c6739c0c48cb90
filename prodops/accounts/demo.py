"""Demo people, departments and teams. Idempotent: looked up by natural keys."""

from decimal import Decimal

from .models import Department, Team, TeamMembership, User
from .roles import Role

DEMO_PASSWORD = "demo"

DEPARTMENTS = ["Sales", "Customer Success", "Marketing", "Finance", "Product", "Support"]

# username, first, last, role, department, title
PEOPLE = [
    ("admin", "Ada", "Admin", Role.ADMIN, None, "Workspace admin"),
    ("lead", "Lena", "Lopez", Role.LEAD, "Marketing", "Head of Marketing Ops"),
    ("member", "Milo", "Meyer", Role.MEMBER, "Marketing", "Marketing Ops Specialist"),
    ("stakeholder", "Sam", "Stone", Role.STAKEHOLDER, "Sales", "Account Executive"),
    ("priya", "Priya", "Patel", Role.LEAD, "Product", "Product Ops Lead"),
    ("tom", "Tom", "Tanaka", Role.MEMBER, "Product", "Product Ops Analyst"),
    ("nora", "Nora", "Nguyen", Role.MEMBER, "Marketing", "Marketing Automation"),
    ("omar", "Omar", "Okafor", Role.MEMBER, "Product", "Pricing Analyst"),
    ("carla", "Carla", "Costa", Role.STAKEHOLDER, "Customer Success", "CS Manager"),
    ("felix", "Felix", "Fischer", Role.STAKEHOLDER, "Finance", "FP&A"),
    ("grace", "Grace", "Green", Role.STAKEHOLDER, "Marketing", "Demand Gen"),
    ("hugo", "Hugo", "Hall", Role.STAKEHOLDER, "Support", "Support Lead"),
]

TEAMS = {
    "Marketing Ops": ("lead", [("lead", 50, 60), ("member", 50, 100), ("nora", 50, 80)]),
    "Product Ops": ("priya", [("priya", 50, 60), ("tom", 50, 100), ("omar", 50, 50)]),
}

LIAISONS = {"Sales": "member", "Marketing": "nora", "Customer Success": "tom", "Product": "omar"}


def seed(stdout) -> None:
    departments = {}
    for name in DEPARTMENTS:
        departments[name], _ = Department.objects.get_or_create(
            name=name, defaults={"slug": name.lower().replace(" ", "-")}
        )
    users = {}
    for username, first, last, role, dept, title in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
        user.first_name, user.last_name, user.role, user.title = first, last, role, title
        user.email = user.email or f"{username}@example.com"
        user.department = departments.get(dept)
        user.save()
        users[username] = user
    for name, (lead, members) in TEAMS.items():
        team, _ = Team.objects.update_or_create(
            slug=name.lower().replace(" ", "-"), defaults={"name": name, "lead": users[lead]}
        )
        for username, capacity, allocation in members:
            TeamMembership.objects.update_or_create(
                team=team,
                user=users[username],
                defaults={"capacity_days": Decimal(capacity), "allocation_percent": allocation},
            )
    for dept, username in LIAISONS.items():
        departments[dept].liaisons.add(users[username])
    stdout.write(f"  people: {len(users)}, departments: {len(departments)}, teams: {len(TEAMS)}")
