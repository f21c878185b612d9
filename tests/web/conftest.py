"""Helpers for page tests: the CSRF token of a rendered form, signing in through the login form, and filling
in a form exactly as the page renders it (its action, its field names, its hidden fields)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
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


@dataclass
class RenderedForm:
    """One `<form>` of a rendered page: what a browser would send if submitted untouched, which field each
    label names, and the error messages shown inside the form (by the name of the field they describe)."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[RenderedForm] = []
        self._form: RenderedForm | None = None
        self._ids: dict[str, str] = {}  # element id -> field name, within the current form
        self._label_for: dict[str, str] = {}  # label text -> element id, within the current form
        self._text: tuple[str, list[str]] | None = None  # ("label", for id) / ("textarea", name) / ("error", id)
        self._select: str | None = None
        self._option: tuple[str, bool] | None = None
        self._first_option: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = RenderedForm(action=a.get("action", ""), method=a.get("method", "get").lower())
            self._ids, self._label_for = {}, {}
            return
        form = self._form
        if form is None:
            return
        name = a.get("name", "")
        if name and "id" in a:
            self._ids[a["id"]] = name
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            form.fields[name] = a.get("value", "on" if kind in ("checkbox", "radio") else "")
        elif tag == "textarea" and name:
            form.fields[name] = ""
            self._text = ("textarea:" + name, [])
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            self._option = (a.get("value", ""), "selected" in a)
            if "value" in a:
                self._first_option.setdefault(self._select, a["value"])
                if "selected" in a:
                    form.fields[self._select] = a["value"]
        elif tag == "label" and "for" in a:
            self._text = ("label:" + a["for"], [])
        elif tag == "p" and "error" in a.get("class", "").split() and a.get("id", "").endswith("-galat"):
            self._text = ("error:" + a["id"].removesuffix("-galat"), [])

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if form is None:
            return
        if tag in ("label", "textarea", "p") and self._text is not None:
            key, parts = self._text
            kind, _, target = key.partition(":")
            text = "".join(parts)
            if kind == "textarea" and tag == "textarea":
                form.fields[target] = text
            elif kind == "label" and tag == "label":
                self._label_for[" ".join(text.split()).rstrip(" *")] = target
            elif kind == "error" and tag == "p":
                form.errors[target] = " ".join(text.split())
            else:
                return
            self._text = None
        elif tag == "select" and self._select:
            form.fields.setdefault(self._select, self._first_option.get(self._select, ""))
            self._select = None
        elif tag == "form":
            form.labels = {label: self._ids[i] for label, i in self._label_for.items() if i in self._ids}
            self.forms.append(form)
            self._form = None


def rendered_forms(html: str) -> list[RenderedForm]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def rendered_form(html: str, action: str) -> RenderedForm:
    """The one form of the page that posts to `action`."""
    found = [f for f in rendered_forms(html) if f.action == action]
    assert len(found) == 1, f"expected one form posting to {action}, found {[f.action for f in rendered_forms(html)]}"
    return found[0]


async def submit_form(client: Any, page_url: str, action: str, by_label: dict[str, str]) -> Any:
    """Open `page_url`, take its form posting to `action`, fill the fields named by their visible labels, and
    post every field the form holds (hidden ones and the CSRF token included), as a browser would."""
    page = await client.get(page_url)
    assert page.status_code == 200, page.text
    form = rendered_form(page.text, action)
    assert form.method == "post"
    data = dict(form.fields)
    for label, value in by_label.items():
        assert label in form.labels, f"no field labelled {label!r} in the form to {action}: {sorted(form.labels)}"
        data[form.labels[label]] = value
    assert "_csrf_token" in data, "the form carries no CSRF token"
    return await client.post(form.action, data=data)


@pytest.fixture
def client(client: Any) -> Any:
    """The app client of tests/conftest.py, not following redirects: page tests check where they lead."""
    client.follow_redirects = False
    return client
