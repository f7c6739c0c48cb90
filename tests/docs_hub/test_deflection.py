import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from docs_hub import selectors, services
from docs_hub.models import Deflection, SearchMiss, SuggestionOpen
from intake.models import RequestStatus
from prodops.core.errors import ValidationFailed
from prodops.notifications.models import Notification
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def test_intake_form_suggests_docs_and_this_answers_it_records_a_deflection(
    make_doc, clients, users
):
    doc = make_doc("Export invoices as CSV", audience="stakeholders", body="Go to billing.")
    make_doc("Secret team export runbook", audience="team")
    html = (
        clients["stakeholder"]
        .get(reverse("intake:similar") + "?title=how do I export invoices", HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "Export invoices as CSV" in html and "This answers it" in html
    assert "Secret team export runbook" not in html
    response = clients["stakeholder"].post(
        reverse("docs_hub:answers", args=[doc.pk]),
        {"title": "how do I export invoices"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "No request was filed" in response.content.decode()
    deflection = Deflection.objects.get()
    assert (deflection.doc, deflection.person, deflection.query) == (
        doc,
        users["stakeholder"],
        "how do I export invoices",
    )


def test_opening_a_suggestion_is_kept_and_offers_this_answers_it(make_doc, clients):
    doc = make_doc("Export invoices as CSV", audience="stakeholders")
    response = clients["stakeholder"].get(
        reverse("docs_hub:suggested", args=[doc.pk]) + "?q=export invoices", follow=True
    )
    assert SuggestionOpen.objects.get().query == "export invoices"
    assert "This answers it" in response.content.decode()
    team_doc = make_doc("Team only", audience="team")
    assert (
        clients["stakeholder"].get(reverse("docs_hub:suggested", args=[team_doc.pk])).status_code
        == 404
    )


def test_explicit_and_implicit_counting(make_doc, users, department):
    doc = make_doc("Export invoices as CSV", audience="stakeholders")
    stakeholder = users["stakeholder"]
    month = timezone.localdate().replace(day=1)
    start = timezone.make_aware(dt.datetime.combine(month, dt.time(9)))

    def open_at(minutes, person=stakeholder):
        row = services.suggestion_open_record(doc=doc, person=person, query="q")
        SuggestionOpen.objects.filter(pk=row.pk).update(
            created_at=start + dt.timedelta(minutes=minutes)
        )

    def request_at(minutes, person=stakeholder):
        r = RequestFactory(requester=person, department=department)
        type(r).objects.filter(pk=r.pk).update(created_at=start + dt.timedelta(minutes=minutes))

    open_at(0)  # no request after: implicit
    open_at(100)
    request_at(120)  # filed 20 minutes after: not deflected, backlog
    open_at(200)
    request_at(240)  # filed 40 minutes after: still implicit
    open_at(300)
    d = services.deflection_record(doc=doc, person=stakeholder, query="q")  # explicit, not twice
    Deflection.objects.filter(pk=d.pk).update(created_at=start + dt.timedelta(minutes=305))
    now = start + dt.timedelta(days=1)
    report = selectors.deflection_report(month=month, now=now)
    [row] = report["per_doc"]
    assert (row["explicit"], row["implicit"]) == (1, 2)
    assert report["per_department"] == [
        ("Sales", {"explicit": 1, "implicit": 2, "requests": 2, "rate": 60})
    ]
    assert report["despite"] == [{"doc__title": doc.title, "doc__slug": doc.slug, "n": 1}]
    # An open less than 30 minutes ago is not counted yet: a request may still follow.
    early = selectors.deflection_report(month=month, now=start + dt.timedelta(minutes=10))
    assert [r["implicit"] for r in early["per_doc"]] == [0]


def test_zero_result_searches_join_the_backlog(make_doc, clients):
    make_doc("Export invoices as CSV", audience="stakeholders")
    clients["stakeholder"].get(reverse("search:index") + "?q=invoice")
    clients["stakeholder"].get(reverse("search:index") + "?q=zeppelin hangar")
    clients["stakeholder"].get(
        reverse("search:index") + "?q=zeppelin",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="header-search-results",
    )  # typing is not a search
    assert list(SearchMiss.objects.values_list("query", flat=True)) == ["zeppelin hangar"]


def test_member_resolves_a_request_as_deflected_and_the_requester_gets_the_link(
    make_doc, users, clients
):
    doc = make_doc("Export invoices as CSV", audience="stakeholders")
    team_doc = make_doc("Team only", audience="team")
    request = RequestFactory(requester=users["stakeholder"])
    with pytest.raises(ValidationFailed):
        services.request_deflect(request=request, doc=team_doc, actor=users["member"])
    response = clients["member"].post(
        reverse("docs_hub:resolve", args=[doc.slug]), {"request": request.pk}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.DEFLECTED and doc.requests.filter(pk=request.pk).exists()
    note = Notification.objects.get(recipient=users["stakeholder"], url=f"/docs/{doc.slug}/")
    assert doc.title in note.body
    assert (
        clients["stakeholder"]
        .post(reverse("docs_hub:resolve", args=[doc.slug]), {"request": request.pk})
        .status_code
        == 403
    )


def test_report_page(clients):
    assert clients["member"].get(reverse("docs_hub:report")).status_code == 200
    assert clients["stakeholder"].get(reverse("docs_hub:report")).status_code == 403
