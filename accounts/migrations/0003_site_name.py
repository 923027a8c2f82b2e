"""Name the django.contrib.sites row allauth puts in its emails ("... an account on <domain>"):
DiffALL at SITE_URL's host, not Django's default example.com."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def name_the_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).netloc or "127.0.0.1:8000"
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "DiffALL"}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_apikey"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
