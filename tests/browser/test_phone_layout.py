"""On a 360 px phone: readable names, a usable search box and top bar, blocks that fit, More."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.browser.pages import (
    blocks,
    integration_select,
    labelled,
    log_in,
    row,
    row_menu_action,
)
from tests.browser.site import LONG_NAME, horizontal_overflow

PHONE = {"width": 360, "height": 740}


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not rendered"
    return found


def inside_the_window(locator: Locator) -> bool:
    edges = box(locator)
    return edges["x"] >= 0 and edges["x"] + edges["width"] <= PHONE["width"]


def test_a_long_name_and_the_row_actions_fit_a_phone(live_server, page: Page, make_contact_point):
    make_contact_point(LONG_NAME, [("email", {"addresses": "ops@example.com"})])
    page.set_viewport_size(PHONE)
    page.goto(live_server("/contact-points"))

    contact_point = row(page, LONG_NAME)
    heading = contact_point.get_by_role("heading", name=LONG_NAME)
    # One letter per line would make the heading a few pixels wide and very tall.
    edit = contact_point.get_by_role("link", name="Edit")
    assert box(heading)["width"] > 200
    assert box(heading)["height"] < 4 * box(edit)["height"]
    expect(edit).to_be_visible()
    assert inside_the_window(edit)
    expect(contact_point.get_by_role("button", name="Duplicate")).to_be_hidden()
    more = contact_point.locator("summary", has_text="More")
    assert inside_the_window(more)
    more.click()
    for action in ("Duplicate", "Delete"):
        expect(contact_point.get_by_role("button", name=action)).to_be_visible()
        assert inside_the_window(contact_point.get_by_role("button", name=action))
    expect(contact_point.get_by_role("link", name="Export")).to_be_visible()
    assert horizontal_overflow(page) == 0


def test_the_more_menu_works_without_javascript(live_server, no_js_page: Page, make_contact_point):
    make_contact_point("Doomed", [("email", {"addresses": "doomed@example.com"})])
    no_js_page.goto(live_server("/contact-points"))

    row_menu_action(row(no_js_page, "Doomed"), "Delete").click()

    expect(no_js_page.get_by_text("Delete the contact point “Doomed”")).to_be_visible()


def test_the_more_menu_closes_like_a_menu(live_server, page: Page, make_contact_point):
    make_contact_point("First", [("email", {"addresses": "first@example.com"})])
    make_contact_point("Second", [("email", {"addresses": "second@example.com"})])
    page.goto(live_server("/contact-points"))
    first, second = row(page, "First"), row(page, "Second")

    row_menu_action(second, "Duplicate")
    expect(second.get_by_role("button", name="Duplicate")).to_be_visible()
    row_menu_action(first, "Duplicate")
    expect(first.get_by_role("button", name="Duplicate")).to_be_visible()
    expect(second.get_by_role("button", name="Duplicate")).to_be_hidden()  # one at a time
    page.get_by_role("heading", name="Alerting").click()
    expect(first.get_by_role("button", name="Duplicate")).to_be_hidden()
    row_menu_action(first, "Duplicate")
    page.keyboard.press("Escape")
    expect(first.get_by_role("button", name="Duplicate")).to_be_hidden()
    expect(first.locator("summary", has_text="More")).to_be_focused()


def test_search_box_and_top_bar_fit_a_phone(live_server, anonymous_page: Page):
    page = anonymous_page
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "admin")
    page.goto(live_server("/contact-points"))

    search = page.get_by_label("Search by name or type")
    assert box(search)["width"] > 250, "the search box shrank"
    brand = box(page.get_by_role("link", name="Herald", exact=True))
    links = page.get_by_role("navigation", name="Main").get_by_role("link").all()
    assert len(links) >= 5
    boxes = [brand] + [box(link) for link in links]
    for index, first in enumerate(boxes):
        assert first["x"] + first["width"] <= PHONE["width"]
        for second in boxes[index + 1:]:
            apart = (first["x"] + first["width"] <= second["x"] or second["x"] + second["width"]
                     <= first["x"] or first["y"] + first["height"] <= second["y"]
                     or second["y"] + second["height"] <= first["y"])
            assert apart, "two items of the top bar run into each other"
    assert horizontal_overflow(page) == 0


def test_integration_blocks_and_their_dropdown_fit_a_phone(live_server, page: Page):
    page.set_viewport_size(PHONE)
    page.goto(live_server("/contact-points/new"))
    labelled(page, "Name").fill(LONG_NAME)

    block = blocks(page).first
    integration_select(block).select_option(label="Slack")
    expect(block.locator("summary", has_text="Optional Slack settings")).to_be_visible()
    block.locator("summary", has_text="Optional Slack settings").click()
    assert inside_the_window(block)
    select = integration_select(block)
    assert inside_the_window(select)
    assert box(select)["width"] > 200
    for button in ("Test", "Duplicate", "Delete"):
        assert inside_the_window(block.get_by_role("button", name=button, exact=True))
    assert horizontal_overflow(page) == 0

    block.get_by_role("button", name="Test", exact=True).click()
    panel = block.get_by_role("group", name="Test notification")
    panel.get_by_role("radio", name="Custom").check()
    expect(panel.get_by_label("Label name").first).to_be_visible()
    block.get_by_role("button", name="Preview").first.click()
    expect(block.get_by_text("Preview with the sample firing alert")).to_be_visible()
    page.get_by_role("button", name="Save contact point").click()
    expect(page.get_by_text("Please fix the errors below; nothing was saved.")).to_be_visible()
    assert horizontal_overflow(page) == 0
