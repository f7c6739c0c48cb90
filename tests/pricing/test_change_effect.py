"""A price change's expected effect is tied to an outcome metric (expected change by a date);
the post-change review compares it with what the metric's measurements show."""

import datetime as dt
from decimal import Decimal

import pytest

from outcomes.models import Measurement, Metric
from pricing import selectors, services
from pricing.models import PricingReview
from prodops.core.errors import ValidationFailed
from tests.factories import ObjectiveFactory

from .conftest import TODAY, make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def metric(db):
    return Metric.objects.create(
        name="Net new MRR",
        unit="k€",
        baseline_value=Decimal("100"),
        baseline_on=dt.date(2026, 1, 1),
        target_value=Decimal("140"),
        target_on=dt.date(2027, 1, 1),
        objective=ObjectiveFactory(),
    )


def _tied(lead, plan, metric, **extra):
    effective = TODAY + dt.timedelta(days=61)
    fields = {
        "metric": metric,
        "expected_change": "10",
        "expected_by": effective + dt.timedelta(days=90),
    } | extra
    return make_proposal(lead=lead, plan=plan, **fields)


def _measure(metric, day, value):
    Measurement.objects.create(metric=metric, measured_on=day, value=Decimal(value))


def test_a_metric_needs_an_expected_change_and_a_later_date(lead, plan, metric):
    with pytest.raises(ValidationFailed) as refused:
        _tied(lead, plan, metric, expected_change=None)
    assert refused.value.field == "expected_change"
    with pytest.raises(ValidationFailed) as refused:
        _tied(lead, plan, metric, expected_by=TODAY)
    assert refused.value.field == "expected_by"
    with pytest.raises(ValidationFailed) as refused:
        _tied(lead, plan, metric, expected_change=1.5)  # a float is refused, not converted
    assert refused.value.field == "expected_change"
    proposal = _tied(lead, plan, metric, expected_change="-2.5")
    assert proposal.expected_change == Decimal("-2.5")


@pytest.mark.parametrize(
    ("after", "verdict", "percent"),
    [("112", "met", "120 %"), ("105", "partly met", "50 %"), ("98", "not met", "-20 %")],
)
def test_expected_against_observed_from_the_measurements(
    lead, plan, metric, after, verdict, percent
):
    proposal = _tied(lead, plan, metric)
    day = proposal.effective_on
    _measure(metric, day - dt.timedelta(days=30), "90")
    _measure(metric, day - dt.timedelta(days=2), "100")  # the value on the effective date
    _measure(metric, day + dt.timedelta(days=80), after)  # the latest by the expected date
    _measure(metric, day + dt.timedelta(days=200), "500")  # after it: not counted
    effect = selectors.change_effect(proposal, today=day + dt.timedelta(days=95))
    assert effect.before == (day - dt.timedelta(days=2), Decimal("100"))
    assert effect.after == (day + dt.timedelta(days=80), Decimal(after))
    assert effect.observed_change == Decimal(after) - Decimal("100")
    assert (effect.verdict, effect.percent) == (verdict, percent)


def test_no_measurement_after_the_change_is_no_data(lead, plan, metric):
    proposal = _tied(lead, plan, metric)
    _measure(metric, proposal.effective_on - dt.timedelta(days=1), "100")
    effect = selectors.change_effect(proposal, today=proposal.effective_on + dt.timedelta(days=90))
    assert effect.verdict == "no data" and effect.observed_change is None
    assert selectors.change_effect(make_proposal(lead=lead, plan=plan)) is None


def _effective(lead, plan, proposal):
    proposal = services.proposal_submit(proposal=proposal, actor=lead, today=TODAY)
    proposal = services.proposal_approve(proposal=proposal, actor=lead, today=TODAY)
    proposal = services.proposal_schedule(proposal=proposal, actor=lead, today=TODAY)
    for item in proposal.readiness.all():
        services.readiness_mark_done(item=item, actor=lead)
    assert services.prices_switch_due(today=proposal.effective_on) == 1
    proposal.refresh_from_db()
    return proposal


def test_the_post_change_review_records_the_comparison(clients, lead, plan, metric):
    proposal = _effective(lead, plan, _tied(lead, plan, metric))
    day = proposal.effective_on
    _measure(metric, day, "100")
    _measure(metric, day + dt.timedelta(days=85), "104.5")
    page = clients["lead"].get(f"/pricing/proposals/{proposal.pk}/").content.decode()
    assert 'data-testid="change-effect"' in page
    assert "+4.5" in page and "+10" in page and "partly met (45 %)" in page
    review = services.pricing_review_record(
        plan=plan,
        actor=lead,
        decision=PricingReview.Decision.KEEP,
        rationale="Moving, slower than hoped.",
        change=proposal,
        today=day + dt.timedelta(days=90),
    )
    assert review.observed_change == Decimal("4.5")
    assert review.observed_effect.startswith("Net new MRR moved +4.5 k€ (100 on")
    assert "against +10 k€ expected by" in review.observed_effect
    assert review.observed_effect.endswith("45 % of the expected change, partly met.")
    proposal.refresh_from_db()
    assert proposal.observed_effect == review.observed_effect


def test_without_measurements_the_review_asks_for_words(lead, plan, metric):
    proposal = _effective(lead, plan, _tied(lead, plan, metric))
    with pytest.raises(ValidationFailed) as refused:
        services.pricing_review_record(
            plan=plan,
            actor=lead,
            decision="keep",
            rationale="r",
            change=proposal,
            today=proposal.effective_on + dt.timedelta(days=90),
        )
    assert refused.value.field == "observed_effect"


def test_the_metric_in_the_form_the_page_and_the_api(clients, api_clients, lead, plan, metric):
    from django.utils import timezone

    effective = timezone.localdate() + dt.timedelta(days=61)
    response = clients["lead"].post(
        "/pricing/proposals/new/",
        {
            "title": "Pro to 59",
            "effective_on": str(effective),
            "rationale": "Costs.",
            "grandfathering": "none",
            "metric": metric.pk,
            "expected_change": "",
            "rows": 1,
            "plan_0": plan.pk,
            "amount_0": "59.00",
            "currency_0": "EUR",
            "billing_period_0": "month",
        },
    )
    assert response.status_code == 400
    assert "Expected change of the metric: Say how much" in response.content.decode()
    body = {
        "title": "Pro to 59",
        "effective_on": str(effective),
        "rationale": "Costs.",
        "metric": metric.pk,
        "expected_change": "12.5",
        "expected_by": str(effective + dt.timedelta(days=90)),
        "lines": [
            {"plan": plan.pk, "amount": "59.00", "currency": "EUR", "billing_period": "month"}
        ],
    }
    created = api_clients["lead"].post("/api/v1/pricing/proposals/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["expected_change"] == "12.5000" and created.json()["metric"] == metric.pk
    page = clients["member"].get(f"/pricing/proposals/{created.json()['id']}/").content.decode()
    assert "Net new MRR</a> +12.5 k€ by" in page
    no_date = api_clients["lead"].post(
        "/api/v1/pricing/proposals/", body | {"expected_by": None}, format="json"
    )
    assert no_date.status_code == 400 and "expected_by" in no_date.json()
