"""Every page fits a 360 px phone, has one h1 and no skipped heading level, and passes axe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete

from app.extensions import db
from app.models import User
from tests.browser.conftest import new_page
from tests.browser.pages import log_in
from tests.browser.site import (
    axe_violations,
    heading_problems,
    horizontal_overflow,
    seed,
    visit_every_page,
    wide_elements,
)

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def site(live_server, make_contact_point) -> dict[str, str]:
    return seed(make_contact_point)


@pytest.fixture
def phone_page(browser: Any, live_server) -> Iterator[Page]:
    """An admin's page on a 360 px wide phone; axe may be injected (it is not Herald's)."""
    for browser_page in new_page(browser, bypass_csp=True):
        browser_page.set_viewport_size(PHONE)
        log_in(browser_page, live_server.url, "admin")
        yield browser_page


def test_every_page_fits_a_360_px_phone_with_one_h1(live_server, site, phone_page: Page):
    problems = {}
    for path in visit_every_page(phone_page, live_server.url, site):
        found = heading_problems(phone_page)
        overflow = horizontal_overflow(phone_page)
        if overflow:
            found.append(f"{overflow} px wider than the screen: {wide_elements(phone_page)}")
        if found:
            problems[path] = found
    assert not problems, problems


def test_login_and_first_admin_pages_fit_a_phone_and_pass_axe(live_server, browser: Any):
    problems = {}
    for browser_page in new_page(browser, bypass_csp=True):
        browser_page.set_viewport_size(PHONE)
        browser_page.goto(live_server("/login"))
        problems["/login"] = page_problems(browser_page)
        db.session.execute(delete(User))  # no account yet: the first visit asks for an admin
        db.session.commit()
        live_server.app.extensions.pop("herald_has_users", None)  # forget "there are accounts"
        browser_page.goto(live_server("/"))
        expect(browser_page.get_by_role("heading", name="Create the first admin account",
                                        level=1)).to_be_visible()
        problems["/setup"] = page_problems(browser_page)
    assert problems == {"/login": [], "/setup": []}


def page_problems(page: Page) -> list[str]:
    """Headings, sideways scrolling and axe's serious violations of the page as it is."""
    overflow = horizontal_overflow(page)
    wider = [f"{overflow} px wider than the screen"] if overflow else []
    return heading_problems(page) + wider + axe_violations(page)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_every_page_has_no_serious_axe_violations(
    live_server, site, browser: Any, color_scheme: str
):
    problems = {}
    for browser_page in new_page(browser, bypass_csp=True):
        browser_page.emulate_media(color_scheme=color_scheme)
        if color_scheme == "dark":  # light runs at the desktop width, dark on a phone
            browser_page.set_viewport_size(PHONE)
        browser_page.goto(live_server("/login"))
        problems["/login"] = axe_violations(browser_page)
        log_in(browser_page, live_server.url, "admin")
        for path in visit_every_page(browser_page, live_server.url, site):
            problems[path] = axe_violations(browser_page)
    assert not {path: found for path, found in problems.items() if found}, problems
