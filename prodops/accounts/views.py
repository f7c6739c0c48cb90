"""Account pages: revoking one's own API token, and the people and teams page for admins (who
is on which team, with what capacity, and what a change does to each roadmap before it is
saved)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from prodops.accounts.roles import Role
from prodops.core.errors import DomainError
from prodops.core.permissions import role_required
from roadmap.selectors import capacity_change_preview
from roadmap.services import roadmap_capacity_recheck

from . import selectors, services
from .forms import MembershipForm
from .models import TeamMembership, User
from .tokens import api_token_revoke


@login_required
@require_POST
def token_revoke(request):
    """The signed-in person revokes their own API token from their settings page."""
    if api_token_revoke(user=request.user):
        messages.success(request, "Your API token is revoked; clients using it are refused now.")
    else:
        messages.info(request, "You have no API token to revoke.")
    return redirect("notifications:settings")


@role_required(Role.ADMIN)
def people_index(request):
    people = list(selectors.people_list())
    for person in people:
        person.team_rows = list(person.memberships.all())
        person.total_days = sum((m.quarter_capacity_days for m in person.team_rows), 0)
    return render(request, "accounts/people.html", {"people": people})


@role_required(Role.ADMIN)
def membership_edit(request, user_pk: int, pk: int | None = None):
    """Edit (or, without `pk`, add) a person's membership of a team. "Preview" shows each
    affected roadmap's figures before → after and saves nothing; "Save" goes through the
    accounts services and then re-checks the team's roadmaps."""
    person = get_object_or_404(User, pk=user_pk)
    membership = None
    if pk is not None:
        try:
            membership = selectors.membership_get(pk)
        except TeamMembership.DoesNotExist:
            raise Http404("No such team membership.") from None
        if membership.user_id != person.pk:
            raise Http404("No such team membership.")
    initial = {}
    if membership is not None:
        initial = {
            "capacity_days": membership.capacity_days,
            "allocation_percent": membership.allocation_percent,
        }
    form = MembershipForm(
        request.POST or None, membership=membership, person=person, initial=initial
    )
    previews = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "save":
            return _save(request, form, person)
        previews = capacity_change_preview(
            team_id=form.target_team.pk, user_id=person.pk, quarter_days=form.quarter_days_after()
        )
    context = {"form": form, "person": person, "membership": membership, "previews": previews}
    if request.htmx and request.method == "POST":
        # The form's own errors show when it is submitted; the live preview only waits.
        return render(request, "accounts/membership_form.html#preview", context)
    return render(
        request, "accounts/membership_form.html", context, status=400 if form.errors else 200
    )


def _save(request, form: MembershipForm, person: User):
    team = form.target_team
    data = form.cleaned_data
    try:
        if data.get("remove"):
            services.membership_delete(actor=request.user, membership=form.membership)
            done = f"{person} is off {team}."
        else:
            services.membership_save(
                actor=request.user,
                membership=form.membership,
                team=team,
                user=person,
                capacity_days=data["capacity_days"],
                allocation_percent=data["allocation_percent"],
            )
            done = f"{person} on {team} saved."
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        context = {"form": form, "person": person, "membership": form.membership, "previews": None}
        return render(request, "accounts/membership_form.html", context, status=error.status_code)
    messages.success(request, done)
    for roadmap, figures in roadmap_capacity_recheck(team=team):
        messages.warning(
            request,
            f"{roadmap} is over-committed: {figures.planned_days} person-days planned of "
            f"{figures.plannable_days} plannable ({figures.over_days} over).",
        )
    if request.htmx:
        from django_htmx.http import HttpResponseClientRedirect

        return HttpResponseClientRedirect(_people_url(person))
    return redirect(_people_url(person))


def _people_url(person: User) -> str:
    from django.urls import reverse

    return reverse("people:index") + f"#person-{person.pk}"
