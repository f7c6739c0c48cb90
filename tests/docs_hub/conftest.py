import pytest

from docs_hub import services
from docs_hub.models import Doc

# The roadmap fixtures (a team, its roadmap, accepted requests, plan()) for readiness tests.
from tests.roadmap.conftest import accepted, objective, plan, roadmap, team  # noqa: F401


@pytest.fixture
def make_doc(users):
    """A doc made through the service, then moved to `status` (by a lead)."""

    def _make(title="Exporting invoices", *, status=Doc.Status.PUBLISHED, audience="team", **kw):
        kw.setdefault("body", "Open **Billing**, then choose *Export*.")
        doc = services.doc_create(actor=users["member"], title=title, audience=audience, **kw)
        if status != Doc.Status.DRAFT:
            doc = services.doc_set_status(doc=doc, actor=users["lead"], status=status)
        return doc

    return _make
