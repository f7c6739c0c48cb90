import pytest
from django.conf import settings

from prodops.celery import app
from prodops.core.models import Heartbeat
from prodops.core.tasks import ping
from tests.conftest import wait_until


def test_celery_configured_from_settings():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert "reviews-sweep" in app.conf.beat_schedule


@pytest.mark.django_db
def test_ping_task_runs_its_service():
    assert ping.delay("eager-1").get() == "eager-1"
    assert Heartbeat.objects.filter(marker="eager-1").exists()


@pytest.mark.celery_worker
def test_real_worker_runs_task_through_redis(real_worker):
    result = ping.apply_async(args=["worker-1"], ignore_result=True)
    assert result.id
    assert wait_until(lambda: Heartbeat.objects.filter(marker="worker-1").exists())
