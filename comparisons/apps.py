from django.apps import AppConfig


class ComparisonsConfig(AppConfig):
    name = "comparisons"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from comparisons import schema  # noqa: F401  (registers the OpenAPI auth extension)
