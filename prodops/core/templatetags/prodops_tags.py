import datetime
import functools
import re
from pathlib import Path

from django import template
from django.contrib.staticfiles import finders
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince, timeuntil

from prodops.accounts.roles import has_role
from prodops.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    return render_markdown(text)


@register.filter
def at_least(user, role: str) -> bool:
    """`{% if user|at_least:"member" %}` — the same role rule the views use."""
    return has_role(user, role)


@register.simple_tag(takes_context=True)
def query_string(context, **changes) -> str:
    """The current query string with some keys replaced (None drops a key)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def code_label(value) -> str:
    """A stored code such as "in_progress" as people read it: "in progress"."""
    return str(value or "").replace("_", " ")


# --- The visual system: icons, avatars, dates ------------------------------------------------

AVATAR_TONES = 8


@functools.cache
def _icon_body(name: str) -> str:
    """The drawing inside a shipped icon (static/icons/<name>.svg), read once per process."""
    path = finders.find(f"icons/{name}.svg")
    if path is None:
        raise template.TemplateSyntaxError(f"No icon named {name!r} in static/icons/.")
    source = Path(path).read_text(encoding="utf-8")
    match = re.search(r"<svg[^>]*>(.*)</svg>", source, re.S)
    return re.sub(r">\s+<", "><", " ".join(match.group(1).split())) if match else ""


@register.simple_tag
def icon(name: str, label: str = "", size: int = 16):
    """`{% icon "bell" %}`: a Lucide icon from static/icons/, inline so it takes the text colour.

    Icons are decoration next to words unless `label` is given, which makes the icon itself
    the accessible name."""
    a11y = (
        format_html('role="img" aria-label="{}"', label)
        if label
        else mark_safe('aria-hidden="true"')
    )
    return format_html(
        # Stroke and fill come from the `.icon` rule in app.css: every icon draws alike, and
        # pages with many icons stay light.
        '<svg class="icon" {} focusable="false" width="{}" height="{}" viewBox="0 0 24 24">{}</svg>',
        a11y,
        size,
        size,
        mark_safe(_icon_body(name)),  # our own shipped file, not user input
    )


def initials(name: str) -> str:
    """ "Milo Owens" → "MO", "milo" → "MI": two letters that tell people apart at a glance."""
    words = [w for w in re.split(r"[\s._-]+", name or "") if w]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[-1][0]).upper()


@register.simple_tag
def avatar(user, decorative: bool = False):
    """`{% avatar person %}`: a round badge with the person's initials, in one of a few tones
    picked by their id (so one person has one colour everywhere). `decorative=True` when
    their name is written next to it."""
    if user is None:
        return ""
    name = getattr(user, "display_name", "") or str(user)
    tone = (getattr(user, "pk", 0) or 0) % AVATAR_TONES
    a11y = (
        mark_safe('aria-hidden="true"')
        if decorative
        else format_html('role="img" aria-label="{}"', name)
    )
    return format_html(
        '<span class="avatar tone-{}" title="{}" {}>{}</span>', tone, name, a11y, initials(name)
    )


def _relative(value, now) -> str:
    if isinstance(value, datetime.datetime):
        delta = now - value
        if abs(delta) < datetime.timedelta(minutes=1):
            return "just now"
        if delta >= datetime.timedelta(0):
            return f"{timesince(value, now, depth=1)} ago"
        return f"in {timeuntil(value, now, depth=1)}"
    today = now.date()
    days = (value - today).days
    if days == 0:
        return "today"
    if days == -1:
        return "yesterday"
    if days == 1:
        return "tomorrow"
    if days < 0:
        return f"{timesince(value, today, depth=1)} ago"
    return f"in {timeuntil(value, today, depth=1)}"


@register.filter(is_safe=True)
def when(value):
    """The one way a date or time is shown: relative ("3 days ago", "in 2 weeks"), with the
    absolute date on hover and in `datetime` for machines. An empty value shows "—"."""
    if not value:
        return "—"
    now = timezone.now()
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        else:
            now = now.replace(tzinfo=None)
        absolute = date_format(value, "j M Y, H:i")
    else:
        absolute = date_format(value, "j M Y")
        now = timezone.localtime(now)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        absolute,
        _relative(value, now),
    )
