"""The contact points list says what Delete and Duplicate did."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from app.extensions import db
from app.models import ContactPoint

HX = {"HX-Request": "true"}
DELETED = re.compile(r'<p class="flash message">Contact point \S{1,6}ops\S{1,6} deleted\.</p>')


def test_deleting_with_htmx_answers_the_message_out_of_band(client, make_contact_point):
    contact_point = make_contact_point("ops", [("email", {"addresses": "a@example.com"})])

    fragment = client.delete(f"/contact-points/{contact_point.uid}", headers=HX).get_data(
        as_text=True)

    assert '<div id="flashes" class="flashes" role="status" hx-swap-oob="true">' in fragment
    assert DELETED.search(fragment)
    assert "<article" not in fragment  # the row itself is replaced by nothing
    assert not DELETED.search(client.get("/contact-points").get_data(as_text=True))


def test_deleting_without_javascript_shows_the_message_on_the_list(client, make_contact_point):
    contact_point = make_contact_point("ops")

    page = client.post(f"/contact-points/{contact_point.uid}/delete",
                       follow_redirects=True).get_data(as_text=True)

    assert DELETED.search(page)


def test_duplicate_shows_the_whole_list_with_the_copy_highlighted(client, make_contact_point):
    original = make_contact_point("ops", [("email", {"addresses": "a@example.com"})])
    make_contact_point("other")

    response = client.post(f"/contact-points/{original.uid}/duplicate")

    copy = db.session.scalar(select(ContactPoint).where(ContactPoint.name == "ops (copy)"))
    location = urlsplit(response.headers["Location"])
    assert parse_qs(location.query) == {"highlight": [copy.uid]}
    assert location.fragment == f"contact-point-{copy.uid}"
    page = client.get(f"{location.path}?{location.query}").get_data(as_text=True)
    assert "<h2>ops</h2>" in page and "<h2>other</h2>" in page and "<h2>ops (copy)</h2>" in page
    assert f'class="contact-point highlighted" id="contact-point-{copy.uid}"' in page
    assert page.count("highlighted") == 1 and page.count("New copy") == 1


def test_duplicate_opens_the_page_that_holds_the_copy(app, client, make_contact_point):
    app.config["HERALD_PAGE_SIZE"] = 2
    for name in ("a", "b", "c"):
        make_contact_point(name)
    original = make_contact_point("d")

    response = client.post(f"/contact-points/{original.uid}/duplicate")

    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["page"] == ["3"]  # a b | c d | d (copy)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h2>d (copy)</h2>" in page and "New copy" in page
