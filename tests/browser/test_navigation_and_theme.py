"""The top bar says where you are, panels never draw doubled borders, skip link, dark mode."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.pages import log_in


def current_link_style(page: Page, name: str) -> tuple[str, str]:
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)
    return link.evaluate(
        "link => [getComputedStyle(link).fontWeight, getComputedStyle(link).borderBottomColor]"
    )


def test_the_top_bar_marks_the_page_you_are_on(live_server, anonymous_page: Page):
    page = anonymous_page
    log_in(page, live_server.url, "admin")
    main_nav = page.get_by_role("navigation", name="Main")
    for path, current in (("/users", "Users"), ("/audit-log", "Audit log"),
                          ("/api-tokens", "API tokens"), ("/api-docs", "API"),
                          ("/contact-points/new", "Alerting"),
                          ("/notification-templates", "Alerting")):
        page.goto(live_server(path))
        expect(main_nav.get_by_role("link", name=current, exact=True)).to_have_attribute(
            "aria-current", "page")
        expect(main_nav.locator("[aria-current]")).to_have_count(1)
    page.goto(live_server("/users"))
    assert current_link_style(page, "Users") != current_link_style(page, "Audit log"), (
        "the current page looks like every other link")


def test_stacked_panels_keep_a_gap_so_their_borders_do_not_double(live_server, anonymous_page):
    page = anonymous_page
    log_in(page, live_server.url, "admin")
    for path in ("/users", "/api-tokens"):
        page.goto(live_server(path))
        panels = page.locator("main .panel")
        assert panels.count() >= 2, path
        edges = [panels.nth(index).bounding_box() for index in range(panels.count())]
        for above, below in zip(edges, edges[1:], strict=False):
            gap = below["y"] - (above["y"] + above["height"])
            assert gap >= 8, f"{path}: two panels touch, their borders draw one thick line"


def test_skip_link_is_the_first_stop_and_moves_to_the_content(live_server, page: Page):
    page.goto(live_server("/contact-points"))

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    expect(page.get_by_role("main")).to_have_attribute("id", "main")


def test_dark_mode_follows_the_system_setting(live_server, page: Page):
    page.goto(live_server("/contact-points"))
    colours = "() => ['backgroundColor', 'color'].map(key => getComputedStyle(document.body)[key])"
    light = page.evaluate(colours)
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate(colours)

    def brightness(rgb: str) -> int:
        return sum(int(part) for part in rgb[rgb.index("(") + 1:-1].split(",")[:3])

    assert brightness(light[0]) > brightness(light[1])  # dark text on a light page
    assert brightness(dark[0]) < brightness(dark[1])  # light text on a dark page
