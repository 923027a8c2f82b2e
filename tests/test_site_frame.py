"""The site's frame: one navigation on every page, a public Pricing page, a favicon, styled error
pages in production mode (never Django's debug or bare pages), and a Content-Security-Policy that
lets no inline script run — which holds because no template carries one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory, override_settings

from accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


@pytest.fixture
def erin_client(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_user(email="erin@example.com", password="x" * 20))
    return client


def nav_of(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    assert nav, "no main navigation"
    items = re.findall(r"<(?:a|button)\b.*?</(?:a|button)>", nav.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in items]


def test_the_navigation_is_the_same_on_every_page(erin_client: Client, client: Client) -> None:
    signed_in = ["Compare", "History", "Account", "API docs", "Pricing", "Sign out"]
    for url in ("/", "/history", "/account", "/pricing", "/api", "/billing/contact-sales"):
        assert nav_of(erin_client.get(url).content.decode()) == signed_in, url
    signed_out = ["Compare", "API docs", "Pricing", "Sign in", "Sign up"]
    for url in ("/", "/pricing", "/api", "/accounts/login/"):
        assert nav_of(client.get(url).content.decode()) == signed_out, url


def test_the_pricing_page_is_public_and_states_the_plans(client: Client) -> None:
    response = client.get("/pricing")
    html = re.sub(r"\s+", " ", response.content.decode())
    assert response.status_code == 200
    assert "10 comparisons every day" in html
    assert "$5" in html and "50 comparisons" in html
    assert 'href="/billing/contact-sales"' in html and "Unlimited comparisons" in html
    assert "Sign up to buy" in html  # a visitor is sent to sign up before paying


def test_the_favicon_answers(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.ico"
    assert finders.find("favicon.ico") and finders.find("favicon.svg")
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/").content.decode()


@override_settings(DEBUG=False)
def test_a_missing_page_is_the_sites_own_404_in_production(client: Client) -> None:
    response = client.get("/pricing-plans")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'id="error-page"' in html and "diffall.css" in html and "Nothing here" in html
    assert "URLconf" not in html and "urlpatterns" not in html


def test_an_expired_form_gets_a_styled_403_that_says_what_to_do(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/billing/contact-sales", {"name": "X"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "This form has expired" in html and 'id="error-page"' in html
    assert "CSRF" not in html


def test_the_500_page_wears_the_frame_without_touching_the_database(
    django_assert_num_queries,
) -> None:  # type: ignore[no-untyped-def]
    from diffall import views

    request = RequestFactory().get("/history")
    with django_assert_num_queries(0):  # rendered without the request: no session, no user
        page = views.server_error(request)
    html = page.content.decode()
    assert page.status_code == 500
    assert "Something broke on our side" in html and "diffall.css" in html


def test_every_page_sends_a_policy_without_inline_scripts(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["default-src"]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


def test_no_template_carries_an_inline_script_or_handler() -> None:
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"{template}: inline <script> (the CSP blocks it)"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{template}: inline event handler"
