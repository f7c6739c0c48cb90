"""Factories for customer outreach."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from outreach.models import Account, Channel, Contact, OutreachPlan, Touch
from tests.factories import TeamFactory, UserFactory


class AccountFactory(DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")
    segment = Account.Segment.MID_MARKET
    health = Account.Health.GOOD
    open_escalation = False
    renewal_date = None


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    role = "Head of Operations"
    email = factory.Sequence(lambda n: f"person{n}@customer.example")


class PlanFactory(DjangoModelFactory):
    class Meta:
        model = OutreachPlan

    title = factory.Sequence(lambda n: f"Outreach {n}")
    purpose = OutreachPlan.Purpose.RESEARCH
    team = factory.SubFactory(TeamFactory)
    channel = Channel.EMAIL
    starts_on = factory.LazyFunction(lambda: dt.date(2026, 1, 1))
    ends_on = factory.LazyFunction(lambda: dt.date(2026, 12, 31))
    created_by = factory.SubFactory(UserFactory)


class TouchFactory(DjangoModelFactory):
    class Meta:
        model = Touch

    contact = factory.SubFactory(ContactFactory)
    account = factory.LazyAttribute(lambda t: t.contact.account)
    on = factory.LazyFunction(lambda: dt.date(2026, 1, 1))
    channel = Channel.EMAIL
    by = factory.SubFactory(UserFactory)
