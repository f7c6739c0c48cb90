"""Markdown rendering for user-written text: parsed by markdown-it, then sanitized by nh3."""

from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def render_markdown(text: str) -> SafeString:
    """User Markdown becomes HTML that can never carry script: raw HTML is escaped by the
    parser and the result is cleaned to an allow-list of tags and safe link schemes."""
    return mark_safe(_render(str(text or "")))


# The HTML depends on the text alone (nothing of the viewer or the time), so the texts a page
# shows again and again (a request's description and comments) are parsed once per process.
@lru_cache(maxsize=512)
def _render(text: str) -> str:
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
