from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "prodops.reviews"
    label = "reviews"
    verbose_name = "Reviews and cadences"
