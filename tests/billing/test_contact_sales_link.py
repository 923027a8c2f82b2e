"""'Contact sales' is one click away on every page of the site, signed in or out."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.personas import Persona

pytestmark = pytest.mark.django_db

PAGES = ["/", "/api", "/accounts/login/", "/accounts/signup/", "/billing/contact-sales"]
LINK = '<a href="/billing/contact-sales">Contact sales</a>'


@pytest.mark.parametrize("url", PAGES)
def test_it_links_contact_sales_for_signed_out_visitors(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert LINK in response.content.decode()


def test_it_links_contact_sales_for_signed_in_customers(
    alice_client: Client, alice: Persona
) -> None:
    for url in ["/", "/billing/history", "/keys/new"]:
        assert LINK in alice_client.get(url).content.decode(), url


def test_it_links_contact_sales_from_the_not_found_page(client: Client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert LINK in response.content.decode()
