"""How a person finds things on Herald's pages: by role, label and visible text."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD


def labelled(scope: Page | Locator, label: str) -> Locator:
    """The form control whose label reads `label` (a required field's label ends in "*")."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def settled(page: Page) -> None:
    """Wait until htmx has finished every request, swap and settle.

    New content gets its htmx behaviour when it settles (20 ms after the swap); a person
    never acts that fast, a test does.
    """
    busy = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
    expect(page.locator(busy)).to_have_count(0)


def blocks(page: Page) -> Locator:
    return page.locator("fieldset.integration-block")


def row(page: Page, name: str) -> Locator:
    """The list row of the contact point with this exact name."""
    heading = page.get_by_role("heading", name=name, exact=True)
    return page.locator("article.contact-point").filter(has=heading)


def row_menu_action(contact_point_row: Locator, name: str) -> Locator:
    """A button or link of the row's More menu (Duplicate, Export, Delete), the menu opened."""
    menu = contact_point_row.locator("details.more")
    if not menu.evaluate("details => details.open"):
        menu.locator("summary", has_text="More").click()
    action = menu.get_by_role("button", name=name, exact=True)
    return action.or_(menu.get_by_role("link", name=name, exact=True))


def section(block: Locator, summary: str) -> Locator:
    """The collapsible <details> of a block whose <summary> reads `summary`."""
    return block.locator("details").filter(has=block.page.locator("summary", has_text=summary))


def integration_select(block: Locator) -> Locator:
    return labelled(block, "Integration")


def choose_type(block: Locator, label: str) -> None:
    """Pick a type in a block's Integration dropdown and wait for htmx to swap its fields."""
    integration_select(block).select_option(label=label)
    expect(block.locator("summary", has_text=f"Optional {label} settings")).to_be_visible()
    settled(block.page)


def add_block(page: Page) -> Locator:
    """Click "+ Add contact point integration" and return the new, last block."""
    count = blocks(page).count()
    page.get_by_role("button", name="+ Add contact point integration").click()
    expect(blocks(page)).to_have_count(count + 1)
    settled(page)
    return blocks(page).nth(count)


def log_in(page: Page, base_url: str, username: str) -> None:
    """Log in through the login form with a test account (admin, editor or viewer)."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)


def secret_shown_as_configured(block: Locator, label: str) -> None:
    """A stored secret shows as "configured", read-only, with a Reset button beside it."""
    field = labelled(block, label)
    expect(field).to_have_value("configured")
    expect(field).to_be_disabled()
