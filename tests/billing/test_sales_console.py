"""The sales console as a Sales user (sam) uses it: titled for DiffALL, today's figures on the home,
the customer page with every action on it — each action specific in its message, recorded in the
customer's history, and (for money) in the ledger naming sam; balances never pushed below zero;
confirmations before ending a plan or revoking a key; inquiries closed, never deleted."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.utils import timezone

from accounts import services as accounts
from accounts.models import User
from billing import selectors, services
from billing.models import (
    EnterpriseInquiry,
    InquiryStatus,
    Kind,
    LedgerEntry,
    Purchase,
    PurchaseStatus,
)
from tests.billing.conftest import reserve
from tests.billing.test_sales_role import listed
from tests.personas import PASSWORD, Persona

pytestmark = pytest.mark.django_db

CUSTOMERS = "/admin/billing/customeraccount/"
INQUIRIES = "/admin/billing/enterpriseinquiry/"


def page_of(user: User) -> str:
    return f"{CUSTOMERS}{user.pk}/change/"


def text(html: str) -> str:
    """The page's words, tags dropped and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html: str, section_id: str) -> str:
    found = re.search(rf'<section class="card" id="{section_id}">(.*?)</section>', html, re.S)
    assert found, f"no #{section_id} on the page"
    return text(found.group(1))


def messages_of(response: object) -> list[str]:
    return [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]


def act(client: Client, user: User, action: str, **data: str) -> object:
    return client.post(f"{CUSTOMERS}{user.pk}/{action}/", data, follow=True)


# --- the console's frame and home -----------------------------------------------------------


def test_it_is_titled_for_diffall_not_django(sam_client: Client) -> None:
    html = sam_client.get("/admin/").content.decode()
    assert re.search(r"<title>Today, \w+ \d+ \w+ \d{4} \| DiffALL sales console</title>", html)
    assert "sales console</a>" in html
    assert "Django administration" not in html and "Django site admin" not in html


def test_it_shows_todays_business_on_the_home(
    sam_client: Client, alice: Persona, bob: Persona, carol: Persona
) -> None:
    old = User.objects.create_user(email="old@example.com", password=PASSWORD)
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=3))
    bought = (
        (alice.user, PurchaseStatus.PAID),
        (alice.user, PurchaseStatus.PAID),
        (bob.user, PurchaseStatus.REFUNDED),
    )
    for n, (user, status) in enumerate(bought):
        Purchase.objects.create(
            user=user, stripe_session_id=f"cs_{n}", credits=50, amount_cents=500, currency="usd",
            status=status,
        )  # fmt: skip
    yesterday = Purchase.objects.create(
        user=old, stripe_session_id="cs_old", credits=50, amount_cents=500, currency="usd"
    )
    Purchase.objects.filter(pk=yesterday.pk).update(created_at=timezone.now() - timedelta(days=1))
    reserve(alice.user), reserve(bob.user, media_type="audio")
    services.credits_refund(comparison_id=reserve(bob.user))  # a failed comparison is not counted
    for name, status in (("Erin", InquiryStatus.NEW), ("Finn", InquiryStatus.CONTACTED),
                         ("Gus", InquiryStatus.CLOSED)):  # fmt: skip
        inquiry = services.enterprise_inquiry_create(
            name=name, email=f"{name}@co.example", message="hi"
        )
        EnterpriseInquiry.objects.filter(pk=inquiry.pk).update(status=status)
    services.plan_set_enterprise(user=bob.user)

    html = sam_client.get("/admin/").content.decode()
    figures = dict(re.findall(r'data-figure="([\w-]+)".*?<strong>(.*?)</strong>', html, re.S))
    assert figures == {
        "sign-ups": "2",  # alice and bob; not old, not the staff
        "paying": "1",  # alice bought twice; bob's purchase was refunded
        "comparisons": "2",
        "revenue": "$10.00",
        "inquiries": "2",
    }
    words = text(html)
    assert "from 2 purchases today" in words
    assert "1 customer on Enterprise now" in words
    assert "Erin" in section(html, "open-inquiries") and "Gus" not in section(
        html, "open-inquiries"
    )
    assert "alice@example.com" in section(html, "new-customers")
    assert "carol@" not in section(html, "new-customers")


def test_it_finds_customers_by_email_and_filters_them_by_plan(
    sam_client: Client, alice: Persona, bob: Persona
) -> None:
    rows = listed(sam_client.get(CUSTOMERS, {"q": "alice@"}).content.decode())
    assert "alice@example.com" in rows and "bob@example.com" not in rows
    services.plan_set_enterprise(user=bob.user)
    rows = listed(sam_client.get(CUSTOMERS, {"plan": "enterprise"}).content.decode())
    assert "bob@example.com" in rows and "alice@example.com" not in rows
    assert "Enterprise (no end date)" in rows


# --- the customer page ----------------------------------------------------------------------


def test_it_titles_the_customer_page_by_the_customer_not_change_customer(
    sam_client: Client, alice: Persona
) -> None:
    html = sam_client.get(page_of(alice.user)).content.decode()
    assert "<h1>alice@example.com</h1>" in html
    assert "Change customer" not in html and "View customer" not in html


def test_it_shows_balance_usage_keys_purchases_and_ledger_on_the_customer_page(
    sam_client: Client, alice: Persona
) -> None:
    for media_type in ("image", "image", "audio"):
        reserve(alice.user, media_type=media_type)
    Purchase.objects.create(
        user=alice.user,
        stripe_session_id="cs_test_shown",
        credits=50,
        amount_cents=500,
        currency="usd",
    )
    accounts.api_key_create(user=alice.user, name="Nightly visual tests")
    html = sam_client.get(page_of(alice.user)).content.decode()
    assert "7 free left today" in text(html)
    assert "<th>audio</th><th>image</th>" in html
    assert "3 comparisons in 30 days" in section(html, "usage")
    assert "Nightly visual tests" in section(html, "keys") and "Active" in section(html, "keys")
    assert "cs_test_shown" in section(html, "purchases") and "$5.00" in section(html, "purchases")
    assert "Daily free grant" in section(html, "ledger")


def test_it_puts_a_customer_on_enterprise_until_a_date(
    sam_client: Client, sam: User, alice: Persona
) -> None:
    response = act(sam_client, alice.user, "enterprise", until="2099-12-31")
    assert messages_of(response) == [
        "Put alice@example.com on Enterprise until 2099-12-31 (was: Free)."
    ]
    balance = selectors.balance_for(user=alice.user)
    assert (balance.plan, f"{balance.enterprise_until:%Y-%m-%d}") == ("enterprise", "2099-12-31")
    entry = LedgerEntry.objects.get(user=alice.user, kind=Kind.PLAN_CHANGE)
    assert entry.staff == sam and "sam@diffall.example" in entry.reason
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "Plan: Free → Enterprise until 2099-12-31." in section(html, "history")
    assert "Change the end date" in html and "Back to free…" in html


def test_it_refuses_an_enterprise_end_date_in_the_past(sam_client: Client, alice: Persona) -> None:
    yesterday = (timezone.now() - timedelta(days=1)).date()
    response = sam_client.post(f"{CUSTOMERS}{alice.user.pk}/enterprise/", {"until": f"{yesterday}"})
    assert response.status_code == 400
    assert "The end date must be today or later." in response.content.decode()
    assert selectors.balance_for(user=alice.user).plan == "free"
    assert not LogEntry.objects.exists()


def test_it_asks_before_putting_a_customer_back_on_free(
    sam_client: Client, sam: User, alice: Persona
) -> None:
    services.plan_set_enterprise(user=alice.user, until=timezone.now() + timedelta(days=30))
    services.credits_grant_admin(user=alice.user, amount=12, reason="promo")
    free = f"{CUSTOMERS}{alice.user.pk}/free/"
    confirm = sam_client.get(free)
    words = text(confirm.content.decode())
    assert "Put alice@example.com back on the free plan?" in words
    assert "They keep their 12 paid credits" in words
    assert 'value="Yes, back to free"' in confirm.content.decode()
    assert sam_client.post(free, {}).status_code == 200  # no confirmation: the question again
    assert selectors.balance_for(user=alice.user).plan == "enterprise"

    done = sam_client.post(free, {"confirm": "yes"}, follow=True)
    assert selectors.balance_for(user=alice.user).plan == "free"
    until = f"{timezone.now() + timedelta(days=30):%Y-%m-%d}"
    assert messages_of(done) == [
        f"Put alice@example.com back on the free plan (was: Enterprise until {until}); "
        "12 paid credits kept."
    ]
    assert f"Plan: Enterprise until {until} → Free." in section(done.content.decode(), "history")
    again = sam_client.post(free, {"confirm": "yes"}, follow=True)
    assert messages_of(again) == ["Nothing changed: alice@example.com is already on the free plan."]
    assert (
        LedgerEntry.objects.filter(user=alice.user, kind=Kind.PLAN_CHANGE, staff=sam).count() == 1
    )


def test_it_grants_credits_showing_the_balance_before_and_after(
    sam_client: Client, sam: User, alice: Persona
) -> None:
    services.credits_grant_admin(user=alice.user, amount=10, reason="welcome")
    assert "Paid balance now: 10" in text(sam_client.get(page_of(alice.user)).content.decode())
    response = act(
        sam_client, alice.user, "credits", change="grant", amount="50", reason="conference promo"
    )
    assert messages_of(response) == ["Granted 50 credits to alice@example.com: balance 10 → 60."]
    assert selectors.balance_for(user=alice.user).paid == 60
    entry = LedgerEntry.objects.filter(user=alice.user, kind=Kind.ADMIN_ADJUSTMENT).latest("id")
    assert (entry.amount, entry.reason, entry.staff) == (50, "conference promo", sam)
    history = section(response.content.decode(), "history")  # type: ignore[attr-defined]
    assert "Granted 50 credits: balance 10 → 60. Reason: conference promo" in history
    assert selectors.wallet_mismatches() == []


def test_it_removes_credits_but_never_below_zero(sam_client: Client, alice: Persona) -> None:
    services.credits_grant_admin(user=alice.user, amount=60, reason="pack by hand")
    refused = sam_client.post(
        f"{CUSTOMERS}{alice.user.pk}/credits/",
        {"change": "remove", "amount": "100", "reason": "oops"},
    )
    assert refused.status_code == 400
    assert (
        "Cannot remove 100 credits from alice@example.com: the paid balance is 60. "
        "Remove at most 60." in refused.content.decode()
    )
    assert selectors.balance_for(user=alice.user).paid == 60
    assert LedgerEntry.objects.filter(user=alice.user, kind=Kind.ADMIN_ADJUSTMENT).count() == 1

    done = act(
        sam_client, alice.user, "credits", change="remove", amount="60", reason="duplicate pack"
    )
    assert messages_of(done) == ["Removed 60 credits from alice@example.com: balance 60 → 0."]
    refused = sam_client.post(
        f"{CUSTOMERS}{alice.user.pk}/credits/",
        {"change": "remove", "amount": "1", "reason": "again"},
    )
    assert "There are no paid credits to remove." in refused.content.decode()
    assert selectors.balance_for(user=alice.user).paid == 0


def test_it_requires_a_reason_and_a_positive_amount_for_credits(
    sam_client: Client, alice: Persona
) -> None:
    for data, error in (
        ({"change": "grant", "amount": "25", "reason": "   "}, "This field is required."),
        ({"change": "grant", "amount": "0", "reason": "x"}, "greater than or equal to 1"),
        ({"change": "steal", "amount": "5", "reason": "x"}, "Select a valid choice."),
    ):
        response = sam_client.post(f"{CUSTOMERS}{alice.user.pk}/credits/", data)
        assert response.status_code == 400 and error in response.content.decode(), data
    assert selectors.balance_for(user=alice.user).paid == 0
    assert not LedgerEntry.objects.filter(user=alice.user).exists()


def test_it_revokes_a_key_after_confirmation_and_keeps_listing_it_as_revoked(
    sam_client: Client, sam: User, alice: Persona, client: Client
) -> None:
    key, raw = accounts.api_key_create(user=alice.user, name="CI pipeline")
    revoke = f"{CUSTOMERS}{alice.user.pk}/keys/{key.public_id}/revoke/"
    confirm = text(sam_client.get(revoke).content.decode())
    assert f"Revoke the key “CI pipeline” ({key.hint}) of alice@example.com?" in confirm
    assert "refused (401) at once" in confirm
    assert client.get("/api/v1/me", headers={"X-API-Key": raw}).status_code == 200

    done = sam_client.post(revoke, {"confirm": "yes"}, follow=True)
    assert messages_of(done) == [
        f"Revoked the key “CI pipeline” ({key.hint}) of alice@example.com: "
        "requests with it now get 401."
    ]
    assert client.get("/api/v1/me", headers={"X-API-Key": raw}).status_code == 401
    key.refresh_from_db()
    assert key.revoked_by == sam
    keys = section(done.content.decode(), "keys")
    assert "CI pipeline" in keys and "Revoked" in keys and "by sam@diffall.example" in keys
    assert "Revoke…" not in keys
    assert f"Revoked the API key “CI pipeline” ({key.hint})." in section(
        done.content.decode(), "history"
    )


def test_it_answers_404_for_a_key_of_another_customer(
    sam_client: Client, alice: Persona, bob: Persona
) -> None:
    key, _ = accounts.api_key_create(user=bob.user, name="bob's")
    response = sam_client.post(
        f"{CUSTOMERS}{alice.user.pk}/keys/{key.public_id}/revoke/", {"confirm": "yes"}
    )
    assert response.status_code == 404
    key.refresh_from_db()
    assert key.is_active


def test_it_records_every_action_in_the_customer_history_page_too(
    sam_client: Client, alice: Persona
) -> None:
    act(sam_client, alice.user, "credits", change="grant", amount="5", reason="support ticket 12")
    act(sam_client, alice.user, "enterprise", until="")
    history = text(sam_client.get(f"{CUSTOMERS}{alice.user.pk}/history/").content.decode())
    assert "History of alice@example.com" in history and "Change history" not in history
    assert "no change history" not in history.lower()
    assert "Granted 5 credits: balance 0 → 5. Reason: support ticket 12" in history
    assert "Plan: Free → Enterprise (no end date)." in history
    assert "sam@diffall.example" in history


# --- inquiries ------------------------------------------------------------------------------


def test_it_closes_an_inquiry_from_its_page_and_records_the_change(
    sam_client: Client, alice: Persona
) -> None:
    inquiry = services.enterprise_inquiry_create(
        name="Alice", email="alice@example.com", message="100k a month", user=alice.user
    )
    url = f"{INQUIRIES}{inquiry.pk}/change/"
    html = sam_client.get(url).content.decode()
    assert "<h1>Inquiry from Alice</h1>" in html and "Change enterprise inquiry" not in html
    assert f'href="{page_of(alice.user)}"' in html  # to the customer's page
    saved = sam_client.post(url, {"status": "closed", "_save": "Save"}, follow=True)
    assert messages_of(saved) == ["Inquiry from Alice: status New → Closed."]
    assert "Save and continue editing" not in html
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.CLOSED
    entry = LogEntry.objects.get(object_id=str(inquiry.pk))
    assert entry.get_change_message() == "Status: New → Closed."
    history = text(sam_client.get(f"{INQUIRIES}{inquiry.pk}/history/").content.decode())
    assert "History of the inquiry from Alice" in history and "Status: New → Closed." in history
    customer = sam_client.get(page_of(alice.user)).content.decode()
    assert "Closed" in section(customer, "inquiries")


def test_it_closes_several_inquiries_from_the_list(sam_client: Client) -> None:
    made = [
        services.enterprise_inquiry_create(name=n, email=f"{n}@co.example", message="hi")
        for n in ("Erin", "Finn", "Gus")
    ]
    services.enterprise_inquiry_close(inquiry=made[2])
    response = sam_client.post(
        INQUIRIES, {"action": "close", "_selected_action": [i.pk for i in made]}, follow=True
    )
    assert messages_of(response) == ["Closed 2 inquiries (1 already closed, left as they were)."]
    assert set(EnterpriseInquiry.objects.values_list("status", flat=True)) == {"closed"}
    assert EnterpriseInquiry.objects.count() == 3
    assert LogEntry.objects.count() == 2


def test_it_shows_contact_sales_requests_to_sales(sam_client: Client, client: Client) -> None:
    client.post(
        "/billing/contact-sales",
        {"name": "Erin", "email": "erin@bigco.example", "message": "500k comparisons a month"},
    )
    html = sam_client.get(INQUIRIES, {"state": "open"}).content.decode()
    assert "erin@bigco.example" in listed(html)


# --- money records --------------------------------------------------------------------------


def test_it_keeps_money_records_read_only_even_for_superusers(
    carol_client: Client, alice: Persona
) -> None:
    reserve(alice.user)
    entry = LedgerEntry.objects.filter(user=alice.user).first()
    assert entry is not None
    page = f"/admin/billing/ledgerentry/{entry.pk}/change/"
    html = carol_client.get(page).content.decode()
    assert str(entry.amount) in html and "View ledger entry" in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    edited = carol_client.post(page, {"amount": "1000", "reason": "edited", "_save": "Save"})
    assert edited.status_code == 403
    entry.refresh_from_db()
    assert entry.amount == -1
    assert carol_client.get("/admin/billing/ledgerentry/add/").status_code == 403
    assert carol_client.get(f"{CUSTOMERS}{alice.user.pk}/delete/").status_code == 403
