"""The Integration dropdown's search field: filter as you type, Enter picks the first match."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.pages import add_block, blocks, integration_select, labelled, settled

NEW_URL = re.compile(r"/contact-points/new$")


def search_field(block):
    return block.get_by_label("Search integrations")


def test_typing_hides_other_types_and_enter_switches_the_block(live_server, page: Page):
    page.goto(live_server("/contact-points/new"))
    block = blocks(page).first
    options = integration_select(block).locator("option")

    search_field(block).press_sequentially("matr", delay=20)

    visible = [o for o in options.all() if not o.evaluate("o => o.hidden")]
    assert [o.inner_text() for o in visible] == ["Matrix", "Email"]  # the chosen one stays
    search_field(block).press("Enter")
    expect(block.locator("legend")).to_have_text("Matrix")
    settled(page)
    expect(labelled(blocks(page).first, "Room ID")).to_be_visible()
    expect(page).to_have_url(NEW_URL)  # Enter never submitted the form


def test_a_category_name_keeps_its_whole_group(live_server, page: Page):
    page.goto(live_server("/contact-points/new"))
    block = add_block(page)

    search_field(block).fill("incident")

    select = integration_select(block)
    hidden_groups = select.locator("optgroup").evaluate_all(
        "groups => groups.filter(g => g.hidden).map(g => g.label)")
    assert "Incident management" not in hidden_groups and "Chat" in hidden_groups


def test_without_javascript_the_search_stays_hidden_and_every_type_is_listed(
    live_server, no_js_page: Page
):
    no_js_page.goto(live_server("/contact-points/new"))
    block = blocks(no_js_page).first

    expect(search_field(block)).to_be_hidden()
    expect(integration_select(block).locator("optgroup")).to_have_count(4)
    expect(integration_select(block).locator("option", has_text="Twilio SMS")).to_have_count(1)
