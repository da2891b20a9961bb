"""The list's rows are kept once drawn: what is kept never carries a session or a role."""
from __future__ import annotations

import re

from app.extensions import db
from app.views.rows import _drawn

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
ROW_TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _row_tokens(page: str) -> set[str]:
    """The tokens of the rows' forms (the page's own Log out form has one too)."""
    return set(ROW_TOKEN_RE.findall(page.split('id="contact-points"', 1)[1]))


def test_each_session_gets_its_own_token_in_kept_rows(client_as, make_contact_point):
    make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    before = _drawn.cache_info()
    pages = [client_as("editor").get("/contact-points").get_data(as_text=True)
             for _ in range(2)]
    after = _drawn.cache_info()

    tokens = [CSRF_RE.search(page).group(1) for page in pages]

    assert tokens[0] != tokens[1]
    assert [_row_tokens(page) for page in pages] == [{tokens[0]}, {tokens[1]}]
    # The row was drawn once: the second page is the kept page with the other token.
    assert (after.hits + after.misses) - (before.hits + before.misses) == 1
    assert "<herald-csrf-token>" not in pages[1]


def test_a_kept_row_of_an_editor_is_not_shown_to_a_viewer(client_as, make_contact_point):
    make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    editor = client_as("editor").get("/contact-points").get_data(as_text=True)

    viewer = client_as("viewer").get("/contact-points").get_data(as_text=True)

    assert ">Edit</a>" in editor and ">Test</button>" in editor
    assert ">Edit</a>" not in viewer and ">Test</button>" not in viewer and ">View</a>" in viewer


def test_a_renamed_contact_point_shows_its_new_name_and_links(client, make_contact_point):
    point = make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    client.get("/contact-points")
    point.set_name("ops & more")
    db.session.commit()

    page = client.get("/contact-points").get_data(as_text=True)

    assert "<h2>ops &amp; more</h2>" in page and "?name=ops+%26+more" in page


def test_a_name_that_looks_like_the_token_slot_stays_text(client, make_contact_point):
    make_contact_point("<herald-csrf-token>", [("webhook", {"url": "http://127.0.0.1:9/a"})])

    page = client.get("/contact-points").get_data(as_text=True)

    assert "<h2>&lt;herald-csrf-token&gt;</h2>" in page
    assert _row_tokens(page) == {CSRF_RE.search(page).group(1)}
