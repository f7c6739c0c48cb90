"""Typed factory_boy factories for the cross-cutting models and requests."""

import factory
from factory.django import DjangoModelFactory

from intake.lifecycle import TEAM_REQUIRED
from intake.models import Request, RoutingRule
from outcomes.models import Objective
from prodops.accounts.models import Department, Team, TeamMembership, User
from prodops.accounts.roles import Role


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.STAKEHOLDER
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory, role=Role.MEMBER)


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective

    title = factory.Sequence(lambda n: f"Objective {n}")
    level = Objective.Level.BUSINESS
    period = "2027"
    status = Objective.Status.ACTIVE


def triage_team() -> Team:
    """The team factory-made requests belong to when they are made triaged or later."""
    team, _ = Team.objects.get_or_create(slug="triage-team", defaults={"name": "Triage Team"})
    return team


class RequestFactory(DjangoModelFactory):
    """A request; one made in triaged or a later main-line status belongs to a team (as the
    lifecycle requires), by default triage_team()."""

    class Meta:
        model = Request

    title = factory.Sequence(lambda n: f"Request number {n}")
    description = "Some **context** for the team."
    requester = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    category = Request.Category.CHANGE
    team = factory.LazyAttribute(lambda o: triage_team() if o.status in TEAM_REQUIRED else None)
    status = Request._meta.get_field("status").default


class RoutingRuleFactory(DjangoModelFactory):
    class Meta:
        model = RoutingRule

    team = factory.SubFactory(TeamFactory)
    category = Request.Category.CHANGE
    department = None
    priority = 100
