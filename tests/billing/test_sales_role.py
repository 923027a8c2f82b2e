"""The Sales role: a group made by a migration holding exactly the console's permissions, a command
that makes a Sales user, and — through real requests — what a Sales user can and cannot reach.
Only superusers manage users, passwords, staff flags, groups, sites and raw models."""

from __future__ import annotations

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.core.management import CommandError, call_command
from django.test import Client

from accounts import services as accounts
from accounts.models import User
from billing import selectors, services
from billing.console import roles
from billing.models import EnterpriseInquiry, LedgerEntry, Purchase, StripeEvent
from tests.billing.conftest import reserve
from tests.personas import PASSWORD, Persona

pytestmark = pytest.mark.django_db

CUSTOMERS = "/admin/billing/customeraccount/"


def listed(html: str) -> str:
    """The rows of an admin list (not the page's header, which names the signed-in user)."""
    table = re.search(r'<table id="result_list">.*?</table>', html, re.S)
    return table.group(0) if table else ""


def _perms(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


# --- the group and the command --------------------------------------------------------------


def test_it_gives_the_migrated_sales_group_exactly_the_permissions_the_console_checks() -> None:
    group = Group.objects.get(name=roles.SALES_GROUP)
    assert _perms(group) == set(roles.SALES_PERMISSIONS)


def test_it_makes_a_sales_user_who_sets_their_own_password_through_a_one_time_link() -> None:
    out = StringIO()
    call_command("create_sales_user", "Sam@DiffALL.example", stdout=out)
    sam = User.objects.get(email="sam@diffall.example")
    assert (sam.is_staff, sam.is_superuser, sam.has_usable_password()) == (True, False, False)
    assert _perms(sam.groups.get()) == set(roles.SALES_PERMISSIONS)
    assert sam.get_all_permissions() == set(roles.SALES_PERMISSIONS)
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", out.getvalue())
    assert link, out.getvalue()
    assert "works once" in out.getvalue() and "/admin/" in out.getvalue()

    browser = Client()
    form_page = browser.get(urlsplit(link.group(0)).path, follow=True)  # → the set-password form
    chosen = "sam-picks-a-long-passphrase-7"
    browser.post(form_page.redirect_chain[-1][0], {"password1": chosen, "password2": chosen})
    sam.refresh_from_db()
    assert sam.check_password(chosen)
    again = Client().get(urlsplit(link.group(0)).path, follow=True)  # used once: dead now
    assert "password1" not in again.content.decode()
    signed_in = Client()
    assert signed_in.login(username="sam@diffall.example", password=chosen)
    assert signed_in.get("/admin/").status_code == 200


def test_it_makes_the_sales_group_again_when_it_was_deleted() -> None:
    Group.objects.filter(name=roles.SALES_GROUP).delete()
    call_command("create_sales_user", "sam@diffall.example", stdout=StringIO())
    sam = User.objects.get(email="sam@diffall.example")
    assert sam.get_all_permissions() == set(roles.SALES_PERMISSIONS)


def test_it_sets_a_password_from_the_command_line_when_given_one() -> None:
    call_command(
        "create_sales_user", "sam@diffall.example", "--password", PASSWORD, stdout=StringIO()
    )
    client = Client()
    assert client.login(username="sam@diffall.example", password=PASSWORD)
    assert "DiffALL sales console" in client.get("/admin/").content.decode()


def test_it_refuses_a_weak_password_and_leaves_no_sales_user_behind() -> None:
    with pytest.raises(CommandError, match="Password refused"):
        call_command(
            "create_sales_user", "sam@diffall.example", "--password", "123", stdout=StringIO()
        )
    assert not User.objects.filter(email="sam@diffall.example").exists()


def test_it_refuses_a_bad_email_and_leaves_superusers_as_they_are(carol: Persona) -> None:
    with pytest.raises(CommandError, match="not an email address"):
        call_command("create_sales_user", "sam", stdout=StringIO())
    with pytest.raises(CommandError, match="is a superuser"):
        call_command("create_sales_user", carol.user.email, stdout=StringIO())
    carol.user.refresh_from_db()
    assert carol.user.is_superuser and not carol.user.groups.exists()


def test_it_turns_a_customer_into_a_sales_user_who_is_no_longer_listed_as_a_customer(
    sam_client: Client, alice: Persona
) -> None:
    assert "alice@example.com" in listed(sam_client.get(CUSTOMERS).content.decode())
    call_command("create_sales_user", alice.user.email, stdout=StringIO())
    assert "alice@example.com" not in listed(sam_client.get(CUSTOMERS).content.decode())
    assert sam_client.get(f"{CUSTOMERS}{alice.user.pk}/change/").status_code == 404


# --- what a Sales user reaches --------------------------------------------------------------


def test_it_lets_sales_see_customers_inquiries_ledger_and_purchases(
    sam_client: Client, alice: Persona, carol: Persona
) -> None:
    reserve(alice.user)
    Purchase.objects.create(
        user=alice.user, stripe_session_id="cs_test_1", credits=50, amount_cents=500, currency="usd"
    )
    inquiry = services.enterprise_inquiry_create(
        name="Erin", email="erin@bigco.example", message="hi"
    )
    entry = LedgerEntry.objects.filter(user=alice.user).first()
    assert entry is not None
    for url in (
        "/admin/",
        CUSTOMERS,
        f"{CUSTOMERS}{alice.user.pk}/change/",
        f"{CUSTOMERS}{alice.user.pk}/history/",
        "/admin/billing/enterpriseinquiry/",
        f"/admin/billing/enterpriseinquiry/{inquiry.pk}/change/",
        "/admin/billing/ledgerentry/",
        f"/admin/billing/ledgerentry/{entry.pk}/change/",
        "/admin/billing/purchase/",
    ):
        assert sam_client.get(url).status_code == 200, url
    rows = listed(sam_client.get(CUSTOMERS).content.decode())
    assert "alice@example.com" in rows
    assert "carol@diffall.example" not in rows and "sam@diffall.example" not in rows


def test_it_answers_403_to_sales_for_users_passwords_staff_flags_groups_sites_and_raw_models(
    sam_client: Client, sam: User, alice: Persona
) -> None:
    event = StripeEvent.objects.create(event_id="evt_1", type="charge.refunded")
    forbidden = [
        "/admin/accounts/user/",
        f"/admin/accounts/user/{alice.user.pk}/change/",
        f"/admin/accounts/user/{alice.user.pk}/password/",
        f"/admin/accounts/user/{sam.pk}/change/",
        "/admin/accounts/user/add/",
        "/admin/accounts/apikey/",
        "/admin/auth/group/",
        f"/admin/auth/group/{sam.groups.get().pk}/change/",
        "/admin/sites/site/",
        f"/admin/sites/site/{Site.objects.get_current().pk}/change/",
        "/admin/account/emailaddress/",
        "/admin/comparisons/comparison/",
        "/admin/billing/stripeevent/",
        f"/admin/billing/stripeevent/{event.pk}/change/",
    ]
    for url in forbidden:
        assert sam_client.get(url).status_code == 403, url
    page = sam_client.get(forbidden[0]).content.decode()
    assert "for DiffALL superusers only" in page and 'href="/admin/"' in page


def test_it_refuses_sales_who_try_to_make_themselves_superuser_or_change_a_password(
    sam_client: Client, sam: User, alice: Persona
) -> None:
    promote = sam_client.post(
        f"/admin/accounts/user/{sam.pk}/change/",
        {"email": sam.email, "is_active": "on", "is_staff": "on", "is_superuser": "on",
         "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"},
    )  # fmt: skip
    assert promote.status_code == 403
    password = sam_client.post(
        f"/admin/accounts/user/{alice.user.pk}/password/",
        {"password1": "a-new-pass-for-alice-1", "password2": "a-new-pass-for-alice-1"},
    )
    assert password.status_code == 403
    sam.refresh_from_db()
    alice.user.refresh_from_db()
    assert not sam.is_superuser
    assert alice.user.check_password(PASSWORD)
    group = sam.groups.get()
    assert (
        sam_client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "Sales"}).status_code
        == 403
    )
    assert _perms(group) == set(roles.SALES_PERMISSIONS)
    site = Site.objects.get_current()
    edited = sam_client.post(
        f"/admin/sites/site/{site.pk}/change/", {"domain": "evil.example", "name": "x"}
    )
    assert edited.status_code == 403
    assert Site.objects.get_current().domain != "evil.example"


def test_it_never_deletes_an_inquiry_and_offers_no_bulk_delete(
    sam_client: Client, carol_client: Client
) -> None:
    inquiry = services.enterprise_inquiry_create(
        name="Erin", email="erin@bigco.example", message="hi"
    )
    for client in (sam_client, carol_client):  # not even a superuser
        assert (
            client.get(f"/admin/billing/enterpriseinquiry/{inquiry.pk}/delete/").status_code == 403
        )
        listing = client.get("/admin/billing/enterpriseinquiry/").content.decode()
        assert 'value="delete_selected"' not in listing
        assert 'value="close"' in listing
        bulk = client.post(
            "/admin/billing/enterpriseinquiry/",
            {"action": "delete_selected", "_selected_action": [inquiry.pk], "post": "yes"},
        )
        assert bulk.status_code in (200, 302)
    assert EnterpriseInquiry.objects.filter(pk=inquiry.pk).exists()


def test_it_answers_404_for_the_customer_page_of_a_staff_member(
    sam_client: Client, carol: Persona, sam: User
) -> None:
    for staff in (carol.user, sam):
        assert sam_client.get(f"{CUSTOMERS}{staff.pk}/change/").status_code == 404
        granted = sam_client.post(
            f"{CUSTOMERS}{staff.pk}/credits/", {"change": "grant", "amount": "99", "reason": "me"}
        )
        assert granted.status_code == 404
    assert selectors.balance_for(user=sam).paid == 0


def test_it_refuses_the_sales_actions_to_staff_outside_the_sales_group(alice: Persona) -> None:
    helper = User.objects.create_user(
        email="intern@diffall.example", password=PASSWORD, is_staff=True
    )
    client = Client()
    client.force_login(helper)
    page = f"{CUSTOMERS}{alice.user.pk}"
    assert client.get(f"{page}/change/").status_code == 403
    assert (
        client.post(
            f"{page}/credits/", {"change": "grant", "amount": "5", "reason": "x"}
        ).status_code
        == 403
    )
    assert client.post(f"{page}/enterprise/", {"until": ""}).status_code == 403
    assert client.post(f"{page}/free/", {"confirm": "yes"}).status_code == 403
    key, _ = accounts.api_key_create(user=alice.user, name="CI")
    revoke = client.post(f"{page}/keys/{key.public_id}/revoke/", {"confirm": "yes"})
    assert revoke.status_code == 403
    key.refresh_from_db()
    assert key.is_active
    assert selectors.balance_for(user=alice.user).plan == "free"
    assert not LedgerEntry.objects.filter(user=alice.user).exists()
    home = client.get("/admin/").content.decode()
    assert "Revenue" not in home  # today's figures are for sales and superusers


def test_it_sends_customers_and_signed_out_visitors_to_the_console_sign_in(
    dave: User, alice: Persona
) -> None:
    signed_in = Client()
    signed_in.force_login(dave)
    for client in (signed_in, Client()):
        for url in ("/admin/", CUSTOMERS, f"{CUSTOMERS}{alice.user.pk}/change/"):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
        grant = {"change": "grant", "amount": "999", "reason": "me"}
        response = client.post(f"{CUSTOMERS}{alice.user.pk}/credits/", grant)
        assert response.status_code == 302
    assert selectors.balance_for(user=alice.user).paid == 0
