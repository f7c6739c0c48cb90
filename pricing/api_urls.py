from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("products", api.ProductViewSet, basename="pricing-product")
router.register("plans", api.PlanViewSet, basename="pricing-plan")
router.register("price-points", api.PricePointViewSet, basename="pricing-price-point")
router.register("proposals", api.ProposalViewSet, basename="pricing-proposal")
router.register("reviews", api.PricingReviewViewSet, basename="pricing-review")

urlpatterns = [path("pricing/", include(router.urls))]
