"""The template editor numbers its lines, so an error's "Line N" can be found."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.browser.pages import labelled


def gutter_of(editor: Locator) -> Locator:
    """The line numbers beside a textarea (hidden from assistive technology: a decoration)."""
    return editor.locator("xpath=preceding-sibling::pre[contains(@class, 'gutter')]")


def row_top(page: Page, element: Locator, line: int) -> float:
    """Where line `line` (1-based) of a textarea or the gutter sits on the screen now."""
    return element.evaluate(
        """(element, line) => {
          const style = getComputedStyle(element);
          const box = element.getBoundingClientRect();
          return box.top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop)
                 + (line - 1) * parseFloat(style.lineHeight) - element.scrollTop;
        }""",
        line,
    )


def test_line_numbers_follow_the_text_and_its_scrolling(live_server, page: Page):
    page.goto(live_server("/notification-templates/new"))
    editor = labelled(page, "Template")
    gutter = gutter_of(editor)
    expect(gutter).to_have_text("1")
    expect(gutter).to_have_attribute("aria-hidden", "true")

    lines = [f"line {number} {{{{ Status }}}}" for number in range(1, 40)]
    editor.fill("\n".join(lines[:2]) + "\n{{ Status }")
    expect(gutter).to_have_text("1\n2\n3")
    expect(page.get_by_text("Line 3: unexpected '}'")).to_be_visible()

    editor.fill("\n".join(lines))
    expect(gutter).to_have_text("\n".join(str(number) for number in range(1, 40)))
    editor.evaluate("textarea => { textarea.scrollTop = textarea.scrollHeight; }")
    expect(gutter).to_have_js_property("scrollTop", editor.evaluate("t => t.scrollTop"))
    assert editor.evaluate("t => t.scrollTop") > 0
    for line in (1, 20, 39):
        assert abs(row_top(page, editor, line) - row_top(page, gutter, line)) < 1, line


def test_line_numbers_are_there_before_any_script_runs(live_server, no_js_page: Page):
    no_js_page.goto(live_server("/notification-templates/built-in/default.message"))

    editor = labelled(no_js_page, "Template")
    count = editor.evaluate("t => t.value.split('\\n').length")
    assert count > 3
    expect(gutter_of(editor)).to_have_text("\n".join(str(n) for n in range(1, count + 1)))


def test_an_error_line_offers_to_go_to_that_line(live_server, page: Page):
    page.goto(live_server("/notification-templates/new"))
    editor = labelled(page, "Template")
    lines = [f"line {number}" for number in range(1, 41)]
    lines[29] = "{{ Status }"
    editor.fill("\n".join(lines))
    editor.evaluate("textarea => { textarea.scrollTop = 0; }")
    expect(page.get_by_text("Line 30: unexpected '}'")).to_be_visible()

    page.get_by_role("button", name="Go to line 30").click()

    expect(editor).to_be_focused()
    selected = editor.evaluate(
        "t => t.value.slice(t.selectionStart, t.selectionEnd)")
    assert selected == "{{ Status }"
    assert editor.evaluate("t => t.scrollTop") > 0
    gutter = gutter_of(editor)
    expect(gutter).to_have_js_property("scrollTop", editor.evaluate("t => t.scrollTop"))
