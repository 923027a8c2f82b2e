"""The sales console in the Django admin: search, the account page, the staff actions (each a
ledger entry naming the staff member), inquiries — and no way in for non-staff."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from billing import selectors, services
from billing.models import EnterpriseInquiry, Kind, LedgerEntry, Purchase
from tests.billing.conftest import PASSWORD, reserve

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/billing/customeraccount/"


def _action(client: Client, action: str, users: list[User], **form: str) -> str:
    """Run a list action; with form data, submit its intermediate form too."""
    data = {"action": action, "_selected_action": [u.pk for u in users]}
    if form:
        data |= {"apply": "yes", **form}
    response = client.post(CHANGELIST, data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_it_finds_accounts_by_email(carol_client: Client, alice: User, bob: User) -> None:
    html = carol_client.get(CHANGELIST, {"q": "alice@"}).content.decode()
    assert "alice@example.com" in html
    assert "bob@example.com" not in html


def test_it_asks_for_an_end_date_then_puts_the_account_on_enterprise(
    carol_client: Client, alice: User, carol: User
) -> None:
    form = _action(carol_client, "put_on_enterprise", [alice])
    assert 'name="until"' in form and 'name="apply"' in form  # the intermediate page
    assert selectors.balance_for(user=alice).plan == "free"
    _action(carol_client, "put_on_enterprise", [alice], until="2099-12-31")
    balance = selectors.balance_for(user=alice)
    assert (balance.plan, balance.unlimited) == ("enterprise", True)
    assert balance.enterprise_until is not None
    assert f"{balance.enterprise_until:%Y-%m-%d}" == "2099-12-31"
    entry = LedgerEntry.objects.get(user=alice, kind=Kind.PLAN_CHANGE)
    assert entry.staff == carol and "carol@diffall.example" in entry.reason


def test_it_puts_an_account_back_on_free(carol_client: Client, alice: User, carol: User) -> None:
    services.plan_set_enterprise(user=alice, staff=carol)
    _action(carol_client, "put_on_free", [alice])
    assert selectors.balance_for(user=alice).plan == "free"
    changes = LedgerEntry.objects.filter(user=alice, kind=Kind.PLAN_CHANGE, staff=carol)
    assert changes.count() == 2


def test_it_refuses_a_credit_grant_without_a_reason(carol_client: Client, alice: User) -> None:
    html = _action(carol_client, "grant_credits", [alice], amount="25", reason="   ")
    assert "This field is required" in html
    assert selectors.balance_for(user=alice).paid == 0
    assert not LedgerEntry.objects.filter(user=alice).exists()


def test_it_grants_and_removes_credits_with_a_ledger_entry_naming_the_staff_member(
    carol_client: Client, alice: User, bob: User, carol: User
) -> None:
    _action(carol_client, "grant_credits", [alice, bob], amount="25", reason="conference promo")
    _action(carol_client, "grant_credits", [alice], amount="-5", reason="duplicate grant")
    assert selectors.balance_for(user=alice).paid == 20
    assert selectors.balance_for(user=bob).paid == 25
    entries = LedgerEntry.objects.filter(user=alice, kind=Kind.ADMIN_ADJUSTMENT).order_by("id")
    assert [(e.amount, e.reason, e.staff) for e in entries] == [
        (25, "conference promo", carol),
        (-5, "duplicate grant", carol),
    ]
    assert selectors.wallet_mismatches() == []


def test_it_offers_the_actions_as_buttons_on_the_account_page(
    carol_client: Client, alice: User, carol: User
) -> None:
    page = f"{CHANGELIST}{alice.pk}/"
    carol_client.post(f"{page}credits/", {"apply": "yes", "amount": "7", "reason": "support"})
    carol_client.post(f"{page}enterprise/", {"apply": "yes", "until": ""})
    assert selectors.balance_for(user=alice).enterprise_until is None
    assert selectors.credits_remaining(user=alice) is None
    carol_client.post(f"{page}free/")
    assert selectors.balance_for(user=alice) == selectors.Balance(
        free_left_today=10, paid=7, unlimited=False, plan="free", enterprise_until=None
    )
    assert LedgerEntry.objects.filter(user=alice, staff=carol).count() == 3


def test_it_shows_balance_usage_keys_and_purchases_on_the_account_page(
    carol_client: Client, alice: User
) -> None:
    for media_type in ("image", "image", "audio"):
        reserve(alice, media_type=media_type)
    Purchase.objects.create(
        user=alice, stripe_session_id="cs_test_shown", credits=50, amount_cents=500, currency="usd"
    )
    from accounts import services as accounts_services

    accounts_services.api_key_create(user=alice, name="Nightly visual tests")
    response = carol_client.get(f"{CHANGELIST}{alice.pk}/change/")
    assert response.status_code == 200, response
    html = response.content.decode()
    assert "<strong>7</strong> free left today" in html
    assert "<th>audio</th><th>image</th>" in html
    assert "3 comparisons in 30 days" in html
    assert "Nightly visual tests" in html
    assert "cs_test_shown" in html and "$5.00" in html


def test_it_shows_contact_sales_inquiries_to_staff(carol_client: Client, client: Client) -> None:
    client.post(
        "/billing/contact-sales",
        {"name": "Erin", "email": "erin@bigco.example", "message": "500k comparisons a month"},
    )
    assert EnterpriseInquiry.objects.count() == 1
    html = carol_client.get("/admin/billing/enterpriseinquiry/").content.decode()
    assert "erin@bigco.example" in html


def test_it_keeps_non_staff_out_of_the_sales_console(dave: User, alice: User) -> None:
    client = Client()
    client.force_login(dave)
    for url in (CHANGELIST, f"{CHANGELIST}{alice.pk}/", f"{CHANGELIST}{alice.pk}/credits/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    response = client.post(f"{CHANGELIST}{alice.pk}/credits/", {"apply": "yes", "amount": "999",
                                                                 "reason": "me"})  # fmt: skip
    assert response.status_code == 302
    assert selectors.balance_for(user=alice).paid == 0
    login = Client().post(
        "/admin/login/", {"username": "dave@example.com", "password": PASSWORD}, follow=True
    )
    assert "Please enter the correct email address and password for a staff account" in (
        login.content.decode()
    )


def test_it_keeps_money_records_read_only_in_the_admin(carol_client: Client, alice: User) -> None:
    reserve(alice)
    entry = LedgerEntry.objects.filter(user=alice).first()
    assert entry is not None
    page = f"/admin/billing/ledgerentry/{entry.pk}/change/"
    html = carol_client.get(page).content.decode()
    assert str(entry.amount) in html  # the entry is shown …
    assert 'name="_save"' not in html and 'name="_continue"' not in html  # … with no Save
    edited = carol_client.post(page, {"amount": "1000", "reason": "edited", "_save": "Save"})
    assert edited.status_code == 403
    entry.refresh_from_db()
    assert entry.amount == -1
    assert carol_client.get("/admin/billing/ledgerentry/add/").status_code == 403
    assert carol_client.get(f"{CHANGELIST}{alice.pk}/delete/").status_code == 403
