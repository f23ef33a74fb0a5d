"""Swagger UI at /ui/ in a real browser: Debian's chromium, headless, driven by Playwright. It renders the
published contract (contract/published/openapi.json, served at /openapi.json): every operation, the token as
HTTP bearer, the servers.

Playwright drives the system chromium (`make test` installs it, see the Makefile), never a browser
of its own. Selectors are swagger-ui's own classes and the operation's `data-path`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# The background-networking flags keep chromium from calling out: the closed network refuses it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 20_000  # every wait of the page, so a broken UI fails rather than hangs
CLIENT_ID = re.compile(r'"clientId":\s*"([0-9A-Z]{26})"')
PUBLISHED = json.loads((Path(__file__).resolve().parents[2] / "contract" / "published" / "openapi.json").read_text())


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """Headless chromium with a new, empty profile; closed after the module."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: Debian's chromium could not be installed here "
            "(`make test` runs apt-get for it, see .venv/chromium-install.log)"
        )
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=WAIT_MS,
        )
        context.set_default_timeout(WAIT_MS)
        context.set_default_navigation_timeout(WAIT_MS)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def requested_urls() -> list[str]:
    """Every URL the page under test requests, in order."""
    return []


@pytest.fixture
def swagger_ui(browser: BrowserContext, local_stack: str, requested_urls: list[str]) -> Iterator[Page]:
    """A fresh tab on the local stack's /ui/, its operations rendered; every URL it requests is recorded."""
    page = browser.new_page()
    page.on("request", lambda request: requested_urls.append(request.url))
    try:
        page.goto(f"{local_stack}/ui/", wait_until="load")
        expect(page.locator(".opblock-summary").first).to_be_visible(timeout=WAIT_MS)
        yield page
    finally:
        page.close()


def authorize(page: Page, value: str) -> None:
    page.locator(".auth-wrapper button.authorize").click()
    # The dialog lists every scheme of the contract (CognitoUserPool, and ShopMachine's client credentials for
    # the machine API): the ID token goes into CognitoUserPool's.
    scheme = page.locator(".modal-ux .auth-container", has_text="CognitoUserPool")
    scheme.locator("input").fill(value)
    scheme.locator("button.authorize").click()
    scheme.locator("button.btn-done").click()
    expect(page.locator(".auth-wrapper button.authorize.locked")).to_be_visible(timeout=WAIT_MS)


def try_create_client(page: Page, body: dict) -> Locator:
    """POST /clients through Try it out; returns the live response's row once it shows a status."""
    operation = page.locator('.opblock-post:has(.opblock-summary-path[data-path="/clients"])')
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("textarea.body-param__text").fill(json.dumps(body))
    operation.locator("button.execute").click()
    # The table's header row carries the same column classes: the answer is the `tr.response` row.
    answer = operation.locator(".live-responses-table tr.response").first
    expect(answer.locator("td.response-col_status")).to_have_text(re.compile(r"^\s*\d{3}\s*$"), timeout=WAIT_MS)
    return answer


def new_client_body() -> dict:
    suffix = uuid.uuid4().hex[:12]
    return {
        "name": f"Swagger UI {suffix}",
        "email": f"ui-{suffix}@shop.example",
        "creditLimit": 2500,
        "currency": "USD",
    }


def test_swagger_ui_loads_every_asset_from_the_local_stack(swagger_ui: Page, local_stack: str, requested_urls):
    # GIVEN /ui/ rendered the operations (the fixture waited for them)
    # THEN the bundle, its styles and the spec came from the stack itself (the installed package), no CDN
    stack = urlsplit(local_stack).netloc
    foreign = [url for url in requested_urls if urlsplit(url).netloc != stack]
    assert not foreign, f"Swagger UI fetched from elsewhere: {foreign}"
    assert f"{local_stack}/openapi.json" in requested_urls
    assert any(url.endswith("/swagger-ui-bundle.js") for url in requested_urls)


def test_the_page_lists_every_operation_of_the_published_contract(swagger_ui: Page):
    # GIVEN /ui/ rendered (the fixture waited for the first operation)
    # THEN each operation of the published contract shows once, with its method and path
    expected = sorted(
        (method, path)
        for path, item in PUBLISHED["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch"}
    )
    expect(swagger_ui.locator(".opblock")).to_have_count(len(expected), timeout=WAIT_MS)
    shown = swagger_ui.locator(".opblock").evaluate_all(
        """blocks => blocks.map(b => [
            b.querySelector('.opblock-summary-method').textContent.trim().toLowerCase(),
            b.querySelector('.opblock-summary-path').getAttribute('data-path')])"""
    )
    assert sorted(map(tuple, shown)) == expected
    expect(swagger_ui.locator(".info .title")).to_contain_text(PUBLISHED["info"]["title"])
    expect(swagger_ui.locator(".info .title")).to_contain_text(PUBLISHED["info"]["version"])


def test_the_authorize_dialog_takes_a_bearer_token(swagger_ui: Page):
    # WHEN the Authorize dialog opens
    swagger_ui.locator(".auth-wrapper button.authorize").click()
    dialog = swagger_ui.locator(".modal-ux")
    # THEN it offers the published HTTP bearer scheme (JWT), not an API key
    expect(dialog).to_contain_text("CognitoUserPool", timeout=WAIT_MS)
    expect(dialog).to_contain_text("(http, Bearer)", timeout=WAIT_MS)
    expect(dialog).to_contain_text("JWT", timeout=WAIT_MS)
    expect(dialog).not_to_contain_text("apiKey")


def test_the_servers_are_this_stack_then_the_published_ones(swagger_ui: Page, local_stack: str):
    options = swagger_ui.locator(".servers select option").all_inner_texts()
    published = [server["url"] for server in PUBLISHED["servers"]]
    assert [option.split(" - ")[0].strip() for option in options] == [local_stack, *published]


def test_try_it_out_with_the_admin_token_creates_the_client(swagger_ui: Page, admin_token: str, shop):
    # GIVEN Swagger UI authorized as its bearer dialog asks: the token alone (the dialog adds `Bearer `)
    authorize(swagger_ui, admin_token)
    body = new_client_body()

    # WHEN POST /clients is tried out with a valid new client
    answer = try_create_client(swagger_ui, body)

    # THEN the live response is a 201 with the new client and its Location
    expect(answer.locator("td.response-col_status")).to_have_text("201", timeout=WAIT_MS)
    description = answer.locator("td.response-col_description")
    expect(description).to_contain_text(body["email"], timeout=WAIT_MS)
    found = CLIENT_ID.search(description.inner_text())
    assert found, "the rendered 201 body has no clientId"
    client_id = found.group(1)
    expect(description).to_contain_text(
        re.compile(rf"location:\s*\S*/clients/{client_id}", re.IGNORECASE), timeout=WAIT_MS
    )

    # AND the client really exists, as the SDK reads it
    stored = shop.clients.get(client_id)
    assert (stored.client_id, stored.email, stored.name) == (client_id, body["email"], body["name"])


def test_try_it_out_without_authorizing_shows_401(swagger_ui: Page):
    # GIVEN Swagger UI not authorized
    expect(swagger_ui.locator(".auth-wrapper button.authorize.unlocked")).to_be_visible(timeout=WAIT_MS)

    # WHEN POST /clients is tried out
    answer = try_create_client(swagger_ui, new_client_body())

    # THEN the gateway's 401 shows, as problem+json
    expect(answer.locator("td.response-col_status")).to_have_text("401", timeout=WAIT_MS)
    expect(answer.locator("td.response-col_description")).to_contain_text("application/problem+json", timeout=WAIT_MS)
