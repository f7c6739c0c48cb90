"""Exit 0 when a worker ran the periodic heartbeat lately, 1 when it is stale or never seen.

For container health checks (beat's in docker-compose.yml): the heartbeat is scheduled by
beat and run by a worker, so a fresh one shows both are working."""

from django.core.management.base import BaseCommand, CommandError

from prodops.core.health import check_worker


class Command(BaseCommand):
    help = "Report the worker heartbeat; exit status 1 when it is stale or never seen."

    def handle(self, *args, **options) -> None:
        ok, detail = check_worker()
        if not ok:
            raise CommandError(f"worker heartbeat: {detail}")
        self.stdout.write(f"worker heartbeat: {detail}")
