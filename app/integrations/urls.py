"""URL settings: the check on save, and templated URLs rendered and checked before sending."""
from __future__ import annotations

from urllib.parse import urlsplit

from app import logs
from app.transport.errors import SendError

TEMPLATE_MARKERS = ("{{", "{%")
SCHEMES = ("http://", "https://")


def has_template(text: object) -> bool:
    """Whether a text holds template syntax ({{ }} or {% %})."""
    return isinstance(text, str) and any(marker in text for marker in TEMPLATE_MARKERS)


def url_problem(value: str) -> bool:
    """True unless the value is an absolute http(s) URL with a host and a valid port."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return True
    return parts.scheme not in ("http", "https") or not parts.hostname


def templated_url_problem(value: str) -> bool:
    """True when the fixed text before a URL's first template part cannot begin an
    http(s) URL; the rendered URL is checked again before each send."""
    cut = min(value.find(marker) for marker in TEMPLATE_MARKERS if marker in value)
    prefix = value[:cut].lstrip()
    lowered = prefix.lower()
    if any(scheme.startswith(lowered) for scheme in SCHEMES):
        return False  # empty, or still inside "https://": the template gives the rest
    scheme = next((s for s in SCHEMES if lowered.startswith(s)), None)
    if scheme is None:
        return True
    rest = prefix[len(scheme):]
    ends = [rest.find(stop) for stop in "/?#" if stop in rest]
    # Only a host that is complete before the template can be checked now.
    return bool(ends) and url_problem(scheme + rest[:min(ends)])


def rendered_url(source: str, render, *, label: str, secret: bool) -> str:
    """A URL setting rendered by render(source) when templated, checked to be http(s).

    A secret URL's rendered value joins the secrets hidden from this delivery's logs and
    history, and is never quoted in an error.
    """
    url = source.strip()
    if has_template(url):
        url = render(url).strip()
        if secret:
            logs.hide_in_delivery(url)
        if not url:
            raise SendError(f"{label} is empty once its template is rendered.", permanent=True)
        if url_problem(url):
            shown = "" if secret else f": {url[:200]}"
            raise SendError(f"{label} is not a valid http:// or https:// URL once its "
                            f"template is rendered{shown}", permanent=True)
    return url
