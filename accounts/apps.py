from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and API keys"  # allauth's app is labelled "Accounts" in the admin too
    default_auto_field = "django.db.models.BigAutoField"
