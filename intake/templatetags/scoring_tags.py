"""`{% scoring_panel req %}`: the scoring panel of a request, loading its own data."""

from django import template

from intake import scoring, scoring_selectors
from prodops.accounts.roles import Role, has_role

register = template.Library()


def scoring_panel_context(user, req) -> dict:
    """Everything the panel shows: assessments with history, the viewer's own one, the mean,
    the spread and the score with its explanation. Empty for anyone below member."""
    if not has_role(user, Role.MEMBER):
        return {"visible": False}
    params = scoring_selectors.scoring_params_current()
    req = scoring_selectors.request_with_score(pk=req.pk)
    assessments = scoring_selectors.assessments_for_request(request=req)
    scoring_selectors.score_explain(req, params)
    return {
        "visible": True,
        "req": req,
        "assessments": assessments,
        "own": next((a for a in assessments if a.assessor_id == user.pk), None),
        "record": getattr(req, "score_record", None),
        "params": params,
        "formula": scoring.formula_text(params),
        "can_assess": req.status in _assessable(),
    }


def _assessable():
    from intake.scoring_services import ASSESSABLE_STATUSES

    return ASSESSABLE_STATUSES


@register.inclusion_tag("intake/_scoring_panel_content.html", takes_context=True)
def scoring_panel(context, req):
    data = scoring_panel_context(context["user"], req)
    data["request"] = context.get("request")
    data["user"] = context["user"]
    data["show_form_link"] = True
    return data


@register.filter
def plain(value) -> str:
    """1.5000 → 1.5: numbers as people write them."""
    return scoring.plain_number(value)
