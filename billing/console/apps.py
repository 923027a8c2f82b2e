from django.contrib.admin.apps import AdminConfig


class ConsoleAdminConfig(AdminConfig):
    """Django's admin app, with the sales console as its site (settings.INSTALLED_APPS)."""

    default_site = "billing.console.site.SalesConsole"
