from rest_framework.routers import SimpleRouter

from .api import (
    AccountViewSet,
    ContactViewSet,
    OutreachPlanViewSet,
    RequestAccountViewSet,
    TouchViewSet,
)

router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="outreach-account")
router.register("contacts", ContactViewSet, basename="outreach-contact")
router.register("outreach-plans", OutreachPlanViewSet, basename="outreach-plan")
router.register("touches", TouchViewSet, basename="outreach-touch")
router.register("request-accounts", RequestAccountViewSet, basename="outreach-request-account")

urlpatterns = router.urls
