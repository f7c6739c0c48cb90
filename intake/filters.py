"""The one definition of how requests are filtered and sorted: the triage queue and the
`/api/v1/requests/` list both read it, so a filter means the same thing in both places."""

import datetime as dt

import django_filters
from django.core.validators import RegexValidator
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone

from outcomes.models import Objective
from prodops.accounts.models import Department
from prodops.accounts.roles import Role, has_role

from .lifecycle import OPEN_STATUSES
from .models import Request, RequestStatus

AGE_CHOICES = [
    ("7", "Under a week"),
    ("30", "Under a month"),
    ("30+", "Older than a month"),
    ("90+", "Older than a quarter"),
]

SORT_CHOICES = [
    ("-created_at", "Newest first"),
    ("created_at", "Oldest first"),
    ("-vote_count", "Most votes"),
    ("-score", "Highest score"),
    ("title", "Title A–Z"),
    ("status", "Status"),
]
# A team filter names a team by id, or says `none` (requests without a team yet).
TEAM_VALUE = RegexValidator(r"^(none|[0-9]+)$", "Give a team's id or “none”.")
# A person filter names someone by id, or says `me` or `none`.
PERSON_VALUE = RegexValidator(r"^(me|none|[0-9]+)$", "Give a person's id, “me” or “none”.")
# Scores are the team's working numbers, so only members and up may sort by them.
TEAM_ONLY_SORTS = frozenset({"-score"})


def queue_filter_params(params: QueryDict) -> QueryDict:
    """The triage queue shows open requests (lifecycle.OPEN_STATUSES) until a status is
    asked for; `status=` with no value asks for every status. The API has no such default."""
    if "status" in params:
        return params
    defaulted = params.copy()
    defaulted.setlist("status", [v for v in RequestStatus.values if v in OPEN_STATUSES])
    return defaulted


def sort_choices_for(user) -> list[tuple[str, str]]:
    """The sorts `user` may pick: all of SORT_CHOICES for the team, the rest for others."""
    if has_role(user, Role.MEMBER):
        return SORT_CHOICES
    return [choice for choice in SORT_CHOICES if choice[0] not in TEAM_ONLY_SORTS]


class RequestFilter(django_filters.FilterSet):
    """`status` may repeat; `assignee` takes an id, `me` or `none`; `team` an id or `none`
    (no team yet); `age` takes a bucket from
    AGE_CHOICES; `sort` takes one of SORT_CHOICES (ties fall back to newest first), except
    TEAM_ONLY_SORTS below member, which are refused as invalid choices like any unknown one."""

    q = django_filters.CharFilter(method="filter_q", label="Title contains")
    # No join is involved, so no row can repeat: DISTINCT would only slow the page down.
    status = django_filters.MultipleChoiceFilter(choices=RequestStatus.choices, distinct=False)
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all())
    category = django_filters.ChoiceFilter(choices=Request.Category.choices)
    audience = django_filters.ChoiceFilter(choices=Request.Audience.choices, label="For whom")
    objective = django_filters.ModelChoiceFilter(queryset=Objective.objects.all())
    team = django_filters.CharFilter(
        method="filter_team", label="Team", validators=[TEAM_VALUE], help_text="An id or “none”."
    )
    assignee = django_filters.CharFilter(
        method="filter_assignee", label="Assignee", validators=[PERSON_VALUE]
    )
    requester = django_filters.CharFilter(
        method="filter_requester", label="Requester", validators=[PERSON_VALUE]
    )
    age = django_filters.ChoiceFilter(choices=AGE_CHOICES, method="filter_age")
    min_votes = django_filters.NumberFilter(
        field_name="vote_count", lookup_expr="gte", label="Votes at least"
    )
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, method="filter_sort", empty_label=None)

    class Meta:
        model = Request
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if hasattr(self.data, "getlist") and "status" in self.data:
            # The queue's "All" option sends an empty status; it means "no status filter".
            self.data = self.data.copy()
            self.data.setlist("status", [v for v in self.data.getlist("status") if v])
        user = getattr(self.request, "user", None)
        self.filters["sort"].field.choices = sort_choices_for(user)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        if value.lstrip("#").isdecimal():
            return queryset.filter(Q(pk=int(value.lstrip("#"))) | Q(title__icontains=value))
        return queryset.filter(title__icontains=value)

    def _person(self, queryset, field: str, value: str):
        if value == "me":
            user = getattr(self.request, "user", None)
            if user is None or not user.is_authenticated:
                return queryset.none()
            return queryset.filter(**{field: user})
        if value == "none":
            return queryset.filter(**{f"{field}__isnull": True})
        return queryset.filter(**{f"{field}_id": int(value)})  # PERSON_VALUE checked it

    def filter_team(self, queryset, name, value):
        if value == "none":
            return queryset.filter(team__isnull=True)
        return queryset.filter(team_id=int(value))  # TEAM_VALUE checked it

    def filter_assignee(self, queryset, name, value):
        return self._person(queryset, "assignee", value)

    def filter_requester(self, queryset, name, value):
        return self._person(queryset, "requester", value)

    def filter_age(self, queryset, name, value):
        now = timezone.now()
        days = int(value.rstrip("+"))
        cutoff = now - dt.timedelta(days=days)
        if value.endswith("+"):
            return queryset.filter(created_at__lt=cutoff)
        return queryset.filter(created_at__gte=cutoff)

    def filter_sort(self, queryset, name, value):
        if value == "-score":
            return queryset.order_by(F("score").desc(nulls_last=True), "-created_at", "-id")
        return queryset.order_by(value, "-created_at", "-id")
