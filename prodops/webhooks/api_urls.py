from rest_framework.routers import SimpleRouter

from .api import WebhookEndpointViewSet

router = SimpleRouter()
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")

urlpatterns = router.urls
