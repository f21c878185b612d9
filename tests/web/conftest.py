"""Helpers for page tests: the CSRF token of a rendered form, signing in through the login form."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import Account

PASSWORD = "rahasia-123"
_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def post_form(
    client: Any, url: str, data: dict[str, Any], *, form_page: str | None = None, **kwargs: Any
) -> Any:
    """Open the page holding the form (sets the CSRF cookie, yields the token), then post the form to `url`."""
    page = await client.get(form_page or url)
    return await client.post(url, data={**data, "_csrf_token": csrf_from(page.text)}, **kwargs)


async def sign_in(client: Any, account: Account, *, password: str = PASSWORD) -> Any:
    response = await post_form(client, "/masuk", {"email": account.actor.email, "password": password})
    assert response.status_code == 303, response.text
    return response


@pytest.fixture
def client(client: Any) -> Any:
    """The app client of tests/conftest.py, not following redirects: page tests check where they lead."""
    client.follow_redirects = False
    return client
