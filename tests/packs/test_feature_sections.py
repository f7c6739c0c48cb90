"""The outcomes (metrics and revisits), docs and pricing sections, computed from a hand-built
2026-Q3 and compared exactly; their stakeholder version leaks nothing (HTML, JSON, PDF)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from docs_hub.models import Doc
from outcomes.models import Contribution, Measurement, Metric, Revisit
from packs import sections, selectors, services
from packs.sections import Scope
from pricing.models import Plan, PricingReview, Product
from prodops.core.periods import parse_period
from prodops.reviews.models import Cadence, Review
from tests.factories import RequestFactory, UserFactory

from .conftest import at
from .test_pages import pdf_text

INTERNAL = (
    "Won two deals",
    "Bravo secret",
    "Team runbook",
    "Never checked",
    "Old pricing guide",
    "Competitors moved up",
    "Pricing review",
)


def _sections(team):
    return selectors.figures_compute(Scope(team=team, period=parse_period("2026-Q3")))["sections"]


def _metric(name, *, team, objective, baseline, target, on, until, direction="up", unit="%"):
    return Metric.objects.create(
        name=name,
        unit=unit,
        direction=direction,
        baseline_value=Decimal(baseline),
        baseline_on=on,
        target_value=Decimal(target),
        target_on=until,
        objective=objective,
        team=team,
        source_note="Internal source: the finance warehouse",
    )


def _measure(metric, day, value):
    Measurement.objects.create(metric=metric, measured_on=day, value=Decimal(value))


def _revisit(*, metric, expected, due, recorded=None, outcome="", observed=None, **source):
    contribution = Contribution.objects.create(
        metric=metric, expected_change=Decimal(expected), expected_by=due, **source
    )
    return Revisit.objects.create(
        contribution=contribution,
        due_on=due,
        outcome=outcome,
        observed_change=None if observed is None else Decimal(observed),
        impact_statement="Won two deals thanks to it" if outcome else "",
        recorded_at=recorded,
    )


def _doc(title, *, owner, audience, status="published", published=None, verified=None):
    return Doc.objects.create(
        title=title,
        slug=title.lower().replace(" ", "-"),
        owner=owner,
        audience=audience,
        status=status,
        published_at=published,
        last_verified_on=verified,
        verify_interval_days=90,
    )


@pytest.fixture
def features(quarter, users, other_team, settings):
    """Outcomes: Pipeline win rate (22 before the quarter → 24 → 25, target 30 from 20),
    Churned accounts (down is good, 40 → 42 against a target of 30), Signups (never measured)
    are the team's; Docs NPS ended before the quarter; Sales cycle is Sales Ops'. Revisits:
    Alpha's recorded "moved" in August, Bravo's "not moved" in September, a request's due in
    September still open, one recorded in June, one of Sales Ops'.

    Docs owned by the team's people: Commission FAQ (stakeholders) and Team runbook (team)
    published in the quarter; Old pricing guide, Never checked and June notes stale on 30
    September; a draft; someone else's doc.

    Pricing: Pro reviewed 12 Aug (raise, 11 days after its 1 Aug due date) and 3 Sep (keep),
    and in June; Team's review due 10 Sep still not held; an inactive cadence."""
    settings.OUTCOMES_ON_TRACK_TOLERANCE = 0.1
    settings.OUTCOMES_AT_RISK_TOLERANCE = 0.25
    team = quarter["team"]
    grow = quarter["objectives"]["grow"]
    win = _metric(
        "Pipeline win rate",
        team=team,
        objective=grow,
        baseline=20,
        target=30,
        on=dt.date(2026, 1, 1),
        until=dt.date(2026, 12, 31),
    )
    for day, value in ((dt.date(2026, 6, 15), 22), (dt.date(2026, 8, 1), 24)):
        _measure(win, day, value)
    _measure(win, dt.date(2026, 9, 15), 25)
    _measure(win, dt.date(2026, 10, 15), 28)
    churn = _metric(
        "Churned accounts",
        team=team,
        objective=grow,
        baseline=40,
        target=30,
        on=dt.date(2026, 4, 1),
        until=dt.date(2026, 9, 30),
        direction="down",
        unit="accounts",
    )
    _measure(churn, dt.date(2026, 7, 15), 42)
    _metric(
        "Signups",
        team=team,
        objective=grow,
        baseline=100,
        target=200,
        on=dt.date(2026, 7, 1),
        until=dt.date(2026, 12, 31),
    )
    _metric(
        "Docs NPS",
        team=team,
        objective=grow,
        baseline=10,
        target=20,
        on=dt.date(2026, 1, 1),
        until=dt.date(2026, 6, 30),
    )
    cycle = _metric(
        "Sales cycle",
        team=other_team,
        objective=grow,
        baseline=30,
        target=20,
        on=dt.date(2026, 1, 1),
        until=dt.date(2026, 12, 31),
    )
    _measure(cycle, dt.date(2026, 8, 1), 25)

    items = quarter["items"]
    _revisit(
        metric=win,
        expected=5,
        due=dt.date(2026, 8, 15),
        recorded=at(2026, 8, 20),
        outcome="moved",
        observed=3,
        roadmap_item=items["A"],
    )
    _revisit(
        metric=churn,
        expected=-5,
        due=dt.date(2026, 9, 1),
        recorded=at(2026, 9, 5),
        outcome="not_moved",
        observed=0,
        roadmap_item=items["B"],
    )
    ask = RequestFactory(team=team, title="Secret ask behind a revisit")
    _revisit(metric=win, expected=1, due=dt.date(2026, 9, 20), request=ask)
    _revisit(
        metric=win,
        expected=2,
        due=dt.date(2026, 6, 1),
        recorded=at(2026, 6, 10),
        outcome="inconclusive",
        request=ask,
    )
    theirs = RequestFactory(team=other_team)
    _revisit(
        metric=cycle,
        expected=-2,
        due=dt.date(2026, 8, 1),
        recorded=at(2026, 8, 2),
        outcome="moved",
        observed=-5,
        request=theirs,
    )

    owner = users["member"]
    _doc(
        "Commission FAQ",
        owner=owner,
        audience="stakeholders",
        published=at(2026, 7, 10),
        verified=dt.date(2026, 7, 10),
    )
    _doc(
        "Team runbook",
        owner=users["lead"],
        audience="team",
        published=at(2026, 8, 1),
        verified=dt.date(2026, 8, 1),
    )
    _doc(
        "Old pricing guide",
        owner=owner,
        audience="stakeholders",
        published=at(2026, 1, 5),
        verified=dt.date(2026, 3, 1),
    )
    _doc("Never checked", owner=owner, audience="team", published=at(2026, 2, 1))
    _doc(
        "June notes",
        owner=owner,
        audience="customers",
        published=at(2026, 6, 20),
        verified=dt.date(2026, 6, 20),
    )
    _doc("Draft ideas", owner=owner, audience="team", status="draft")
    _doc(
        "Elsewhere",
        owner=UserFactory(),
        audience="stakeholders",
        published=at(2026, 8, 5),
        verified=dt.date(2026, 8, 5),
    )

    product = Product.objects.create(name="Prodops")
    pro = Plan.objects.create(product=product, name="Pro")
    starter = Plan.objects.create(product=product, name="Team")
    for held_on, decision, why in (
        (dt.date(2026, 8, 12), "raise", "Competitors moved up"),
        (dt.date(2026, 9, 3), "keep", "Holding after the raise"),
        (dt.date(2026, 6, 1), "lower", "Old"),
    ):
        PricingReview.objects.create(
            plan=pro, held_on=held_on, decision=decision, rationale=why, held_by=users["lead"]
        )
    pro_cadence = Cadence.objects.create(
        kind=Cadence.Kind.PRICE_PLAN,
        target=pro,
        title="Pricing review: Prodops · Pro",
        next_due_on=dt.date(2026, 12, 1),
    )
    Review.objects.create(
        cadence=pro_cadence, due_on=dt.date(2026, 8, 1), completed_on=dt.date(2026, 8, 12)
    )
    Review.objects.create(
        cadence=pro_cadence, due_on=dt.date(2026, 5, 1), completed_on=dt.date(2026, 5, 3)
    )
    Cadence.objects.create(
        kind=Cadence.Kind.PRICE_PLAN,
        target=starter,
        title="Pricing review: Prodops · Team",
        next_due_on=dt.date(2026, 9, 10),
    )
    Cadence.objects.create(
        kind=Cadence.Kind.PRICE_PLAN,
        target=product,
        title="Pricing review: retired",
        next_due_on=dt.date(2026, 8, 1),
        active=False,
    )
    return quarter


def test_metrics_moved_against_target(features):
    metrics = _sections(features["team"])["metrics"]
    assert metrics["has_data"] is True
    rows = [
        (
            r["name"],
            r["opening"],
            r["closing"],
            r["change"],
            r["measurements"],
            r["moved"],
            r["progress_percent"],
            r["status"],
        )
        for r in metrics["metrics"]
    ]
    # Win rate: 22 → 25 of 20 → 30 is 50 %; the line stands at 272/364 ≈ 75 % on 30 Sep,
    # 0.247 behind (at risk under 0.25). Churn: 40 → 42 against 30 is −20 %, off track.
    assert rows == [
        ("Churned accounts", "40", "42", "2", 1, "away", "-20", "off_track"),
        ("Pipeline win rate", "22", "25", "3", 2, "toward", "50", "at_risk"),
        ("Signups", "100", None, None, 0, None, None, "no_data"),
    ]
    assert (metrics["moved_toward"], metrics["moved_away"], metrics["not_moved"]) == (1, 1, 0)
    assert metrics["not_measured"] == 1


def test_revisits_recorded_and_their_results(features):
    metrics = _sections(features["team"])["metrics"]
    assert [
        (r["work"], r["metric"], r["outcome"], r["expected_change"], r["observed_change"])
        for r in metrics["revisits"]
    ] == [
        ("Alpha", "Pipeline win rate", "moved", "5", "3"),
        ("Bravo secret", "Churned accounts", "not_moved", "-5", "0"),
    ]
    assert metrics["revisits_recorded"] == 2
    assert metrics["revisits_by_outcome"] == [
        {"outcome": "moved", "label": "Moved", "count": 1},
        {"outcome": "not_moved", "label": "Not moved", "count": 1},
    ]
    assert metrics["revisits_open"] == 1


def test_metrics_for_the_whole_organisation(features):
    metrics = _sections(None)["metrics"]
    assert [r["name"] for r in metrics["metrics"]] == [
        "Churned accounts",
        "Pipeline win rate",
        "Sales cycle",
        "Signups",
    ]
    assert metrics["revisits_recorded"] == 3
    assert metrics["revisits_by_outcome"][0] == {"outcome": "moved", "label": "Moved", "count": 2}


def test_docs_published_and_stale(features):
    docs = _sections(features["team"])["docs"]
    assert [(d["title"], d["audience"], d["published_on"]) for d in docs["published"]] == [
        ("Commission FAQ", "stakeholders", "2026-07-10"),
        ("Team runbook", "team", "2026-08-01"),
    ]
    # Verification runs out 90 days on: 30 May (Old pricing guide), 18 Sep (June notes).
    assert [(d["title"], d["verify_due_on"]) for d in docs["stale"]] == [
        ("Old pricing guide", "2026-05-30"),
        ("June notes", "2026-09-18"),
        ("Never checked", None),
    ]
    assert (docs["docs_published"], docs["docs_stale"]) == (2, 3)
    assert (docs["deflections"], docs["hours_saved"]) == (1, "1.5")
    org = _sections(None)["docs"]
    assert (org["docs_published"], org["docs_stale"]) == (3, 3)


def test_pricing_reviews_held_overdue_and_decisions(features):
    pricing = _sections(features["team"])["pricing"]
    assert [(r["plan"], r["held_on"], r["decision"]) for r in pricing["held"]] == [
        ("Prodops Pro", "2026-08-12", "raise"),
        ("Prodops Pro", "2026-09-03", "keep"),
    ]
    assert pricing["by_decision"] == [
        {"decision": "keep", "label": "Keep", "count": 1},
        {"decision": "raise", "label": "Raise", "count": 1},
    ]
    assert pricing["overdue"] == [
        {
            "review": "Pricing review: Prodops · Pro",
            "due_on": "2026-08-01",
            "held_on": "2026-08-12",
            "days_late": 11,
        },
        {
            "review": "Pricing review: Prodops · Team",
            "due_on": "2026-09-10",
            "held_on": None,
            "days_late": 20,
        },
    ]
    assert (pricing["reviews_held"], pricing["reviews_overdue"], pricing["still_overdue"]) == (
        2,
        2,
        1,
    )
    # Price plans are the workspace's: the organisation's pack shows the same.
    assert _sections(None)["pricing"] == pricing


def test_tables_and_headlines_read_the_figures(features):
    found = _sections(features["team"])
    metric_tables = {t.key: t for t in sections.get("metrics").tables(found["metrics"])}
    assert metric_tables["metrics"].rows[1] == [
        "Pipeline win rate",
        "%",
        "Grow NRR",
        "22",
        "25",
        "3",
        "30",
        "Toward target",
        "50",
        "At risk",
    ]
    assert metric_tables["revisit_outcomes"].rows == [
        ["Moved", 1],
        ["Not moved", 1],
        ["Due, not recorded yet", 1],
    ]
    assert dict(sections.get("pricing").headline(found["pricing"])) == {
        "Reviews held": 2,
        "Reviews overdue": 2,
        "Still overdue": 1,
    }
    assert dict(sections.get("docs").headline(found["docs"]))["Docs stale"] == 3


def test_stakeholder_version_of_the_new_sections(features):
    shown = selectors.stakeholder_figures({"sections": _sections(features["team"])})["sections"]
    assert "pricing" not in shown
    assert "revisits" not in shown["metrics"] and shown["metrics"]["revisits_recorded"] == 2
    assert [d["title"] for d in shown["docs"]["published"]] == ["Commission FAQ"]
    assert shown["docs"]["docs_published"] == 1
    assert "stale" not in shown["docs"] and "docs_stale" not in shown["docs"]
    text = repr(shown)
    for secret in (*INTERNAL, "Internal source"):
        assert secret not in text, secret


@pytest.fixture
def final_pack(features, users):
    pack = services.pack_create(actor=users["lead"], team=features["team"], period="2026-Q3")
    return services.pack_finalize(pack=pack, actor=users["lead"])


def test_stakeholder_html_json_and_pdf_leak_nothing(final_pack, clients, api_clients, users):
    html = clients["stakeholder"].get(reverse("packs:stakeholder", args=[final_pack.pk]))
    body = html.content.decode()
    assert "Pipeline win rate" in body and "Commission FAQ" in body
    data = api_clients["stakeholder"].get(f"/api/v1/review-packs/{final_pack.pk}/")
    assert data.status_code == 200
    pdf = pdf_text(clients["stakeholder"].get(reverse("packs:pdf", args=[final_pack.pk])).content)
    pdf = " ".join(pdf.split())  # table cells wrap
    assert "Pipeline win rate" in pdf and "Commission FAQ" in pdf
    link = services.share_link_create(pack=final_pack, actor=users["lead"])
    shared = clients["anonymous"].get(link.get_absolute_url()).content.decode()
    assert "Pipeline win rate" in shared
    for text in (body, data.content.decode(), pdf, shared):
        for secret in (*INTERNAL, "Internal source"):
            assert secret not in text, secret


def test_internal_page_shows_the_new_sections(final_pack, clients):
    body = clients["member"].get(final_pack.get_absolute_url()).content.decode()
    for shown in ("Won two deals", "Team runbook", "Never checked", "Competitors moved up"):
        assert shown in body, shown
    assert 'id="chart-page-metrics-progress"' in body or "metrics-progress" in body


def test_the_new_sections_cost_a_fixed_number_of_queries(features, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    team = features["team"]
    scope = Scope(team=team, period=parse_period("2026-Q3"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            for key in ("metrics", "docs", "pricing"):
                sections.get(key).compute(scope)
        return len(ctx)

    few = count()
    plan = Plan.objects.create(product=Product.objects.get(), name="More")
    for i in range(5):
        metric = _metric(
            f"More {i}",
            team=team,
            objective=features["objectives"]["grow"],
            baseline=1,
            target=2,
            on=dt.date(2026, 1, 1),
            until=dt.date(2026, 12, 31),
        )
        _measure(metric, dt.date(2026, 8, 1 + i), 1 + i)
        _revisit(
            metric=metric,
            expected=1,
            due=dt.date(2026, 8, 1 + i),
            recorded=at(2026, 8, 2 + i),
            outcome="moved",
            observed=1,
            roadmap_item=features["items"]["F"],
        )
        _doc(
            f"More doc {i}",
            owner=users["member"],
            audience="team",
            published=at(2026, 7, 2 + i),
            verified=dt.date(2026, 1, 1),
        )
        PricingReview.objects.create(
            plan=plan, held_on=dt.date(2026, 7, 2 + i), decision="keep", rationale="x"
        )
        Review.objects.create(
            cadence=Cadence.objects.get(title="Pricing review: Prodops · Pro"),
            due_on=dt.date(2026, 7, 1 + i),
            completed_on=dt.date(2026, 7, 20),
        )
    assert count() == few == 8
