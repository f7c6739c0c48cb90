from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health


@require_GET
@never_cache
def healthz(request):
    """200 when the database and the broker answer; 503 naming the part that does not.

    The worker's heartbeat is reported ("ok …", "stale …", "never seen") but never fails the
    check: this answer is about the web process, and a load balancer must not take healthy
    web processes out because the worker is down."""
    db_ok, db_detail = health.check_database()
    broker_ok, broker_detail = health.check_broker()
    _worker_ok, worker_detail = health.check_worker()
    ok = db_ok and broker_ok
    body = {
        "status": "ok" if ok else "error",
        "database": db_detail,
        "broker": broker_detail,
        "worker": worker_detail,
    }
    if not ok:
        body["failing"] = [
            name for name, good in (("database", db_ok), ("broker", broker_ok)) if not good
        ]
    return JsonResponse(body, status=200 if ok else 503)


@login_required
def coming_soon(request, section: str):
    return render(request, "core/coming_soon.html", {"section": section})
