from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "prodops.accounts"
    label = "accounts"
    verbose_name = "People and teams"
