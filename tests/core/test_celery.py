import os

import pytest
from django.conf import settings

from prodops.celery import app
from prodops.core.models import Heartbeat
from prodops.core.tasks import ping


def test_celery_configured_from_settings():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert "reviews-sweep" in app.conf.beat_schedule


@pytest.mark.django_db
def test_ping_task_runs_its_service():
    assert ping.delay("eager-1").get() == "eager-1"
    assert Heartbeat.objects.filter(marker="eager-1").exists()


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return ""
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return ""
    return url


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_task_through_redis():
    url = _redis_url()
    if not url:
        if os.environ.get("CI") == "true" and os.environ.get("REDIS_URL"):
            pytest.fail("REDIS_URL is set in CI but Redis does not answer")
        pytest.skip("no Redis answering at REDIS_URL")
    from celery.contrib.testing.worker import start_worker

    app.conf.update(task_always_eager=False, broker_url=url, broker_transport_options={})
    try:
        with start_worker(
            app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"
        ):
            result = ping.apply_async(args=["worker-1"], ignore_result=True)
            import time

            deadline = time.monotonic() + 20
            while (
                time.monotonic() < deadline
                and not Heartbeat.objects.filter(marker="worker-1").exists()
            ):
                time.sleep(0.2)
        assert result.id
        assert Heartbeat.objects.filter(marker="worker-1").exists()
    finally:
        app.conf.update(
            task_always_eager=True,
            broker_url=settings.CELERY_BROKER_URL,
            broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        )
