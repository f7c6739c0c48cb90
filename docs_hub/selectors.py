"""Reads for docs: who may see which, lists, revisions and the diff between two of them."""

import difflib

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from prodops.accounts.roles import Role, has_role

from .models import Doc, DocRevision


def doc_visible_q(*, user) -> Q:
    """The audience rule: team members and up see every doc, drafts included; any other
    signed-in person sees published stakeholder and customer docs; someone not signed in
    sees published customer docs only (under /help/). Only published docs leave the team."""
    if has_role(user, Role.MEMBER):
        return Q()
    published = Q(status=Doc.Status.PUBLISHED)
    if user is not None and getattr(user, "is_authenticated", False) and user.is_active:
        return published & Q(audience__in=[Doc.Audience.STAKEHOLDERS, Doc.Audience.CUSTOMERS])
    return published & Q(audience=Doc.Audience.CUSTOMERS)


def doc_visible(*, user) -> QuerySet[Doc]:
    return Doc.objects.filter(doc_visible_q(user=user))


def doc_is_visible(*, doc: Doc, user) -> bool:
    """doc_visible_q's rule for one doc already loaded, without a query."""
    if has_role(user, Role.MEMBER):
        return True
    if doc.status != Doc.Status.PUBLISHED:
        return False
    if user is not None and getattr(user, "is_authenticated", False) and user.is_active:
        return doc.audience in (Doc.Audience.STAKEHOLDERS, Doc.Audience.CUSTOMERS)
    return doc.audience == Doc.Audience.CUSTOMERS


def doc_list(*, user, audience: str | None = None, status: str | None = None) -> QuerySet[Doc]:
    qs = doc_visible(user=user).select_related("owner", "reviewer").defer("search_vector")
    if audience:
        qs = qs.filter(audience=audience)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("title", "id")


def doc_get(*, user, slug: str) -> Doc:
    """The doc with that slug if `user` may see it; otherwise 404 (never a hint it exists)."""
    try:
        doc = Doc.objects.select_related("owner", "reviewer").get(slug=slug)
    except Doc.DoesNotExist:
        raise Http404 from None
    if not doc_is_visible(doc=doc, user=user):
        raise Http404
    return doc


def public_docs() -> QuerySet[Doc]:
    """What /help/ lists: published customer docs."""
    return doc_visible(user=None).defer("search_vector").order_by("title", "id")


def doc_revisions(*, doc: Doc) -> QuerySet[DocRevision]:
    return doc.revisions.select_related("author").order_by("-number")


def doc_linked_requests(*, doc: Doc, user):
    from intake.selectors import request_visible

    return request_visible(user=user).filter(docs=doc).only("id", "title", "status")


def doc_linked_items(*, doc: Doc):
    return doc.roadmap_items.select_related("roadmap__team")


def revision_diff(*, old: DocRevision, new: DocRevision) -> list[tuple[str, SafeString]]:
    """Line-by-line changes from `old` to `new` as (kind, escaped line) pairs, kind being
    "add", "del", "same" or "hunk". Every line is escaped: a diff shows text, never runs it."""
    old_lines = [f"# {old.title}", "", *old.body.splitlines()]
    new_lines = [f"# {new.title}", "", *new.body.splitlines()]
    rows: list[tuple[str, SafeString]] = []
    for line in difflib.unified_diff(old_lines, new_lines, lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        rows.append((kind, mark_safe(escape(line))))
    return rows
