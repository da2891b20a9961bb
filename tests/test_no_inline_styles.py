"""Nothing Herald serves needs an inline style: the CSP (style-src 'self') would refuse it."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=|\.style\.|setAttribute\(\s*[\"']style", re.I)


def test_templates_and_our_scripts_have_no_inline_style():
    files = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("static/*.js")]
    ours = [path for path in files if not path.name.startswith("htmx-")]  # vendored: see below
    assert len(ours) > 20
    found = [str(path.relative_to(ROOT)) for path in ours if INLINE_STYLE.search(path.read_text())]
    assert found == []


def test_htmx_is_told_not_to_add_its_indicator_style(client):
    page = client.get("/contact-points").get_data(as_text=True)
    assert re.search(r'<meta name="htmx-config" content=\'\{"includeIndicatorStyles": false', page)
    policy = client.get("/contact-points").headers["Content-Security-Policy"]
    assert "style-src 'self';" in policy and "unsafe-inline" not in policy
