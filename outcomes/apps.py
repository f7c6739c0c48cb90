from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        from intake.signals import request_shipped
        from roadmap.signals import item_shipped

        from .services.revisits import item_shipped_receiver, request_shipped_receiver

        item_shipped.connect(item_shipped_receiver, dispatch_uid="outcomes_item_shipped")
        request_shipped.connect(request_shipped_receiver, dispatch_uid="outcomes_request_shipped")
