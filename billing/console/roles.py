"""The Sales role. A salesperson is a staff user in the Sales group and holds exactly these
permissions; everything else in the console (users, passwords, staff flags, groups, sites, raw
models) needs a superuser. Migration billing/0004 creates the group with this list."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from accounts import services as accounts
from accounts.models import User

SALES_GROUP = "Sales"

# What each sales action checks (the views ask for these, by these names).
SEE_CUSTOMERS = "billing.view_customeraccount"
SET_PLAN = "billing.set_plan"
ADJUST_CREDITS = "billing.adjust_credits"
REVOKE_API_KEY = "billing.revoke_api_key"
SEE_INQUIRIES = "billing.view_enterpriseinquiry"
CLOSE_INQUIRIES = "billing.change_enterpriseinquiry"  # only the status can change
SEE_LEDGER = "billing.view_ledgerentry"
SEE_PURCHASES = "billing.view_purchase"

SALES_PERMISSIONS = (
    SEE_CUSTOMERS,
    SET_PLAN,
    ADJUST_CREDITS,
    REVOKE_API_KEY,
    SEE_INQUIRIES,
    CLOSE_INQUIRIES,
    SEE_LEDGER,
    SEE_PURCHASES,
)


class RoleError(Exception):
    """A sales user cannot be made as asked; `detail` says why."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def sales_group() -> Group:
    """The Sales group. Migration 0004 made it; if it has gone (deleted by hand, or a test
    database flushed) it is made again with exactly the role's permissions. An existing group is
    left as it is: a superuser may have had reasons to change it."""
    group, created = Group.objects.get_or_create(name=SALES_GROUP)
    if created:
        group.permissions.set([_permission(name) for name in SALES_PERMISSIONS])
    return group


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    if found is None:
        raise RoleError(f"The permission {name} is missing: run `manage.py migrate`.")
    return found


def sales_user_create(*, email: str) -> tuple[User, bool]:
    """The account with this email (created when missing, with no usable password) as a Sales
    user: staff, in the Sales group. A superuser is left alone: it already holds everything."""
    group = sales_group()
    user, created = accounts.user_get_or_create(email=email)
    if user.is_superuser:
        raise RoleError(f"{user.email} is a superuser: it can already do everything sales can.")
    accounts.user_make_staff(user=user, group=group)
    return user, created
