"""The Sales group: exactly the permissions the sales console's actions check. Frozen here as
migrations are; billing/console/roles.py owns the list the code uses, and a test proves that a
migrated database gives the group exactly that list."""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

GROUP = "Sales"
PERMISSIONS = [
    ("billing", "view_customeraccount"),
    ("billing", "set_plan"),
    ("billing", "adjust_credits"),
    ("billing", "revoke_api_key"),
    ("billing", "view_enterpriseinquiry"),
    ("billing", "change_enterpriseinquiry"),
    ("billing", "view_ledgerentry"),
    ("billing", "view_purchase"),
]


def _ensure_permissions(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Permissions are normally created after the last migration (post_migrate): make billing's
    exist now so the group can hold them."""
    app_config = apps.get_app_config("billing")
    app_config.models_module = True
    using = schema_editor.connection.alias
    create_contenttypes(app_config, verbosity=0, using=using, apps=apps)
    create_permissions(app_config, verbosity=0, using=using, apps=apps)
    app_config.models_module = None


def create_group(apps, schema_editor):  # type: ignore[no-untyped-def]
    _ensure_permissions(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    wanted = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in PERMISSIONS
    ]
    group.permissions.set(wanted)


def delete_group(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_customer_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
