"""The Integration dropdown: types grouped by category, with a search field once it is long."""
from __future__ import annotations

import re
from html import unescape

from app.integrations import REGISTRY, type_groups
from app.integrations.base import CATEGORIES
from app.views import TYPE_SEARCH_AFTER


def test_every_type_sits_in_one_group_in_category_order():
    groups = type_groups()
    assert [category for category, _ in groups] == [
        c for c in CATEGORIES if any(t.category == c for t in REGISTRY.values())]
    listed = [t.type for _, members in groups for t in members]
    assert sorted(listed) == sorted(REGISTRY)


def test_existing_types_have_their_categories():
    assert REGISTRY["slack"].category == "Chat"
    assert REGISTRY["pagerduty"].category == "Incident management"
    assert REGISTRY["email"].category == "Email & SMS"
    assert REGISTRY["webhook"].category == "Generic"


def test_create_form_shows_optgroups_with_the_labels_inside(client):
    page = client.get("/contact-points/new").get_data(as_text=True)
    labels = [unescape(label) for label in re.findall(r'<optgroup label="([^"]+)">', page)]
    assert labels == [c for c, _ in type_groups()]
    chat = page.split('<optgroup label="Chat">', 1)[1].split("</optgroup>", 1)[0]
    assert '<option value="slack">Slack</option>' in chat


def test_search_field_is_hidden_until_the_script_shows_it_and_is_never_submitted(client):
    page = client.get("/contact-points/new").get_data(as_text=True)
    search = re.search(r'<input type="search" class="type-search"[^>]*>', page)
    assert (search is not None) == (len(REGISTRY) > TYPE_SEARCH_AFTER)
    if search:
        assert " hidden " in search.group(0) and "name=" not in search.group(0)
        assert 'aria-label="Search integrations"' in search.group(0)
        assert "/static/type-search.js" in page
