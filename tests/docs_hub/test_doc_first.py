import pytest
from django.urls import reverse

from docs_hub.models import Doc
from intake.models import RequestStatus
from intake.services import request_transition
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def test_accepting_a_request_starts_a_draft_doc_owned_by_the_assignee(users, clients):
    request = RequestFactory(
        title="Partner price list", status=RequestStatus.SCORED, assignee=users["member"]
    )
    request_transition(request=request, to=RequestStatus.ACCEPTED, actor=users["lead"])
    doc = Doc.objects.get(requests=request)
    assert doc.status == Doc.Status.DRAFT and doc.owner == users["member"]
    assert doc.title == "Partner price list"
    page = clients["member"].get(reverse("intake:detail", args=[request.pk])).content.decode()
    assert 'data-testid="request-docs"' in page and "Partner price list" in page
    # the draft is not shown to the stakeholder who may read the request
    shown = clients["stakeholder"].get(reverse("intake:detail", args=[request.pk]))
    assert 'data-testid="request-docs"' not in shown.content.decode()
    # accepted again later: still one doc
    request_transition(request=request, to=RequestStatus.SCORED, actor=users["lead"])
    request_transition(request=request, to=RequestStatus.ACCEPTED, actor=users["lead"])
    assert Doc.objects.filter(requests=request).count() == 1


def test_without_an_assignee_the_lead_who_accepted_owns_it(users):
    request = RequestFactory(status=RequestStatus.SCORED)
    request_transition(request=request, to=RequestStatus.ACCEPTED, actor=users["lead"])
    assert Doc.objects.get(requests=request).owner == users["lead"]
