"""Logging touches: the pre-flight under a lock, overrides by leads with a reason, never-rules,
and erasure."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from outreach import services
from outreach.models import Contact, Touch
from prodops.accounts.roles import Role
from prodops.core.errors import NotAllowed, ValidationFailed
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.outreach.factories import ContactFactory, PlanFactory, TouchFactory


def log(actor, contact, **extra):
    values = {"on": timezone.localdate(), "channel": "email"}
    values.update(extra)
    return services.touch_log(actor=actor, contact=contact, **values)


@pytest.mark.django_db
def test_a_touch_within_budget_is_logged_without_override(member):
    contact = ContactFactory()
    touch = log(member, contact, override_reason="not needed")
    assert touch.account == contact.account
    assert touch.by == member
    assert touch.override_reason == "" and touch.overridden_by is None


@pytest.mark.django_db
def test_past_a_limit_a_member_is_refused(member):
    contact = ContactFactory()
    TouchFactory(contact=contact, on=timezone.localdate() - dt.timedelta(days=3))
    with pytest.raises(NotAllowed) as refused:
        log(member, contact, override_reason="urgent")
    assert "Only a lead" in refused.value.message
    assert Touch.objects.count() == 1


@pytest.mark.django_db
def test_past_a_limit_a_lead_needs_a_reason_and_it_is_kept(lead):
    contact = ContactFactory()
    TouchFactory(contact=contact, on=timezone.localdate() - dt.timedelta(days=3))
    with pytest.raises(ValidationFailed) as refused:
        log(lead, contact, override_reason="  ")
    assert refused.value.field == "override_reason"
    touch = log(lead, contact, override_reason="Outage follow-up the customer asked for")
    touch.refresh_from_db()
    assert touch.overridden_by == lead
    assert touch.override_reason == "Outage follow-up the customer asked for"


@pytest.mark.django_db
def test_with_a_plan_only_a_lead_of_its_team_may_override():
    team = TeamFactory()
    plan = PlanFactory(team=team)
    other_lead = UserFactory(role=Role.LEAD)
    own_lead = UserFactory(role=Role.LEAD)
    MembershipFactory(team=team, user=own_lead)
    contact = ContactFactory(account__open_escalation=True)
    with pytest.raises(NotAllowed):
        log(other_lead, contact, plan=plan, override_reason="why not")
    assert log(own_lead, contact, plan=plan, override_reason="Exec sponsor asked").pk


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["opted_out", "erased"])
def test_opted_out_or_erased_never_even_with_override(admin_user, kind):
    contact = ContactFactory()
    if kind == "opted_out":
        contact.opted_out = True
        contact.save()
    else:
        services.contact_erase(contact=contact, actor=admin_user)
    with pytest.raises(ValidationFailed) as refused:
        log(admin_user, contact, override_reason="very important")
    assert refused.value.field == "contact"
    assert not Touch.objects.exists()


@pytest.mark.django_db
def test_future_touch_is_refused_naming_on(member):
    with pytest.raises(ValidationFailed) as refused:
        log(member, ContactFactory(), on=timezone.localdate() + dt.timedelta(days=1))
    assert refused.value.field == "on"


@pytest.mark.django_db
def test_erasure_blanks_details_and_keeps_touches_anonymous(member):
    contact = ContactFactory(name="Dana Secret", email="dana@secret.example", role="CFO")
    TouchFactory(contact=contact, notes="Dana said the CFO hates surveys")
    services.contact_erase(contact=contact, actor=member)
    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.role) == ("", "", "")
    assert contact.erased_at is not None
    touch = Touch.objects.get()
    assert touch.contact_id == contact.pk and touch.notes == ""
    assert "Dana" not in str(touch.contact)


@pytest.mark.django_db
def test_stakeholders_cannot_erase(stakeholder):
    with pytest.raises(NotAllowed):
        services.contact_erase(contact=ContactFactory(), actor=stakeholder)


@pytest.mark.django_db(transaction=True)
def test_concurrent_logs_cannot_both_pass_the_budget():
    member = UserFactory(role=Role.MEMBER)
    contact = ContactFactory()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt():
        try:
            barrier.wait(timeout=10)
            log(member, Contact.objects.get(pk=contact.pk))
            results.append("logged")
        except NotAllowed:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # The second waits for the first's lock, then sees its touch and the cooldown.
    assert sorted(results) == ["logged", "refused"]
    assert Touch.objects.filter(contact=contact).count() == 1


@pytest.mark.django_db
def test_a_logged_touch_is_a_webhook_event_without_personal_details(member):
    from prodops.webhooks.models import Endpoint, Event

    Endpoint.objects.create(
        url="https://hooks.example.com/in", events=["outreach.touch_logged"], secret="whsec_x"
    )
    contact = ContactFactory(name="Private Person", email="private@customer.example")
    touch = log(member, contact, notes="Private Person was friendly")
    event = Event.objects.get(type="outreach.touch_logged")
    assert event.payload["data"]["id"] == touch.pk
    assert "Private" not in str(event.payload) and "private@" not in str(event.payload)
