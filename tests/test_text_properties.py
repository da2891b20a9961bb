"""Property tests: arbitrary Unicode and numbers through the API and the forms never give a
500, and whatever was stored still exports."""
from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.integrations import REGISTRY
from tests.test_api import api as api  # noqa: F401 (fixtures)
from tests.test_contact_points_views import post_form
from tests.test_registry_contract import MINIMAL

PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
# Every code point, surrogates included, with the troublesome ones drawn often.
NASTY = st.sampled_from(["\udfff", "\ud800", "\x00", "\x07", "\x1b", "\r", "\t", "\n", "\x85",
                         "\u2028", "\ufeff","\U0001f6a8", "{", "'", '"', "&"])
ANY_TEXT = st.one_of(
    st.builds(lambda before, odd, after: before + odd + after,
              st.text(max_size=15), NASTY, st.text(max_size=15)),
    st.text(st.characters(exclude_categories=()), max_size=40),
)
NUMBERS = st.integers() | st.floats() | st.integers(min_value=-(10**400), max_value=10**400)
SCALARS = ANY_TEXT | NUMBERS | st.booleans() | st.none()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(ANY_TEXT, inner, max_size=3), max_leaves=8)
# A browser cannot send a surrogate in a form (it is not UTF-8); everything else it can.
FORM_TEXT = ANY_TEXT.map(lambda text: text.encode("utf-8", "replace").decode())


def assert_everything_exports(api, client=None) -> None:
    listed = api("GET", "/contact-points")
    assert listed.status_code == 200
    for output_format in ("json", "yaml"):
        exported = api("GET", f"/contact-points/export?format={output_format}")
        assert exported.status_code == 200
        text = exported.get_data(as_text=True)
        json.loads(text) if output_format == "json" else yaml.safe_load(text)
    if client is not None:
        assert client.get("/contact-points/export?format=json").status_code == 200
        assert client.get("/contact-points").status_code == 200


@st.composite
def contact_points(draw) -> dict:
    """A minimal valid integration with arbitrary values put over some of its settings."""
    type_id = draw(st.sampled_from(sorted(MINIMAL)))
    fields = [field.key for field in REGISTRY[type_id].fields]
    extra = draw(st.dictionaries(st.sampled_from(fields), ANY_TEXT | NUMBERS, max_size=3))
    if draw(st.sampled_from([False, False, False, True])):  # now and then, any key and shape
        extra.update(draw(st.dictionaries(ANY_TEXT, VALUES, max_size=2)))
    settings_ = {**MINIMAL[type_id], **extra}
    if draw(st.booleans()):  # often keep it valid, so odd text is stored if let through
        settings_ = {**settings_, **MINIMAL[type_id]}
    disable = draw(st.one_of(st.booleans(), st.booleans(), st.booleans(), VALUES))
    return {"name": draw(ANY_TEXT.filter(str.strip)), "type": type_id, "settings": settings_,
            "disableResolveMessage": disable}


@PROPERTY
@given(body=contact_points())
def test_api_create_never_fails_and_everything_still_exports(api, body):
    answer = api("POST", "/contact-points", body)

    assert answer.status_code in (202, 400), answer.get_data(as_text=True)
    assert_everything_exports(api)


@PROPERTY
@given(name=ANY_TEXT, template=VALUES)
def test_api_template_put_never_fails(api, name, template):
    answer = api("PUT", f"/templates/{json.dumps(name)[1:-1] or 'x'}", {"template": template})

    assert answer.status_code < 500, answer.get_data(as_text=True)
    assert api("GET", "/templates").status_code == 200


@PROPERTY
@given(name=FORM_TEXT, url=FORM_TEXT, title=FORM_TEXT, number=NUMBERS.map(str))
def test_contact_point_form_never_fails_and_everything_still_exports(client, api, name, url,
                                                                      title, number):
    answer = post_form(client, "/contact-points/new", name, [
        ("a1", "webhook", {"url": url, "title": title, "maxAlerts": number})])

    assert answer.status_code in (302, 422), answer.get_data(as_text=True)[:500]
    assert_everything_exports(api, client)


@PROPERTY
@given(name=FORM_TEXT, template=FORM_TEXT)
def test_template_form_never_fails(client, name, template):
    answer = client.post("/notification-templates/new", data={"name": name, "template": template})

    assert answer.status_code in (302, 422), answer.get_data(as_text=True)[:500]
    assert client.get("/notification-templates").status_code == 200
