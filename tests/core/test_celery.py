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


def test_tasks_come_back_when_their_worker_dies_and_not_while_it_runs_them():
    """Late acks give a task back when its worker is lost; Redis gives back an unacknowledged
    one only after the visibility timeout, which must outlast any run (no task is queued
    with a countdown or ETA)."""
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_cancel_long_running_tasks_on_connection_loss is True
    if settings.CELERY_BROKER_URL.startswith("redis"):
        timeout = app.conf.broker_transport_options["visibility_timeout"]
        assert settings.CELERY_TASK_TIME_LIMIT < timeout <= 30 * 60


def test_mail_server_waits_are_bounded_below_the_task_time_limit():
    assert 0 < settings.EMAIL_TIMEOUT < settings.CELERY_TASK_SOFT_TIME_LIMIT
