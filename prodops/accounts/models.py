from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from prodops.core import limits

from .roles import Role, has_role

DEFAULT_QUARTER_CAPACITY_DAYS = Decimal("50")


class Department(models.Model):
    """A requesting part of the business (Sales, Customer Success…)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    liaisons = models.ManyToManyField(
        "accounts.User",
        blank=True,
        related_name="liaison_for",
        help_text="Team members who are the contact for this department.",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person with exactly one role."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAKEHOLDER)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    title = models.CharField(max_length=120, blank=True)
    email_notifications = models.BooleanField(
        default=True, help_text="Also send notifications by email."
    )

    class Meta:
        ordering = ["username"]

    def save(self, *args, **kwargs):
        # Django admin access follows the role, so the admin site and the app agree.
        self.is_staff = self.role == Role.ADMIN
        self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, minimum: Role | str) -> bool:
        return has_role(self, minimum)

    @property
    def is_member(self) -> bool:
        return has_role(self, Role.MEMBER)

    @property
    def is_lead(self) -> bool:
        return has_role(self, Role.LEAD)

    @property
    def is_workspace_admin(self) -> bool:
        return has_role(self, Role.ADMIN)

    def __str__(self) -> str:
        return self.display_name


class Team(models.Model):
    """An ops team (e.g. Marketing Ops) that plans a roadmap."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=limits.REASON)
    lead = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams"
    )
    members = models.ManyToManyField(User, through="TeamMembership", related_name="teams")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        """A team's lead must have the lead role (or be an admin): the lead is told the
        team's capacity and buffer burn, and holds its reviews."""
        super().clean()
        if self.lead_id is not None and not has_role(self.lead, Role.LEAD):
            raise ValidationError(
                {"lead": f"{self.lead} is not a lead: give them the lead role first."}
            )


class TeamMembership(models.Model):
    """A person on a team, with a quarterly capacity in person-days and an allocation share."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    capacity_days = models.DecimalField(
        max_digits=6,
        decimal_places=1,
        default=DEFAULT_QUARTER_CAPACITY_DAYS,
        validators=[MinValueValidator(0), MaxValueValidator(92)],
        help_text="Person-days per quarter at 100 % allocation.",
    )
    allocation_percent = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="unique_team_member"),
            models.CheckConstraint(
                condition=models.Q(allocation_percent__lte=100), name="allocation_at_most_100"
            ),
        ]
        ordering = ["team", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"

    @property
    def quarter_capacity_days(self) -> Decimal:
        """Capacity for a quarter = capacity days × allocation %."""
        return (self.capacity_days * Decimal(self.allocation_percent) / Decimal(100)).quantize(
            Decimal("0.1")
        )
