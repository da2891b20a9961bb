"""Apprise: any of the 100+ services the apprise library reaches, named by an Apprise URL."""
from __future__ import annotations

import re
import sys
import types
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_app_context

from app.integrations.base import Field, IntegrationType, SendContext, SendError, Sent, Values
from app.transport import deadlines, sockets
from app.transport.http import DEFAULT_TIMEOUT

# https://appriseit.com/getting-started/ - every service is one URL: scheme://settings.
URL_RE = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)
BODY_FORMATS = (("text", "Text"), ("markdown", "Markdown"), ("html", "HTML"))
# A notification may take several requests (a login, then the message, several targets):
# the whole send gets this many times HERALD_HTTP_TIMEOUT.
EXCHANGES = 3
# Modules through which a plugin would reach the network, or the machine, in ways the
# audit of Python sockets cannot be relied on to see (other threads, processes, devices).
OPAQUE_TRANSPORTS = frozenset({
    "socket", "ssl", "smtplib", "subprocess", "asyncio", "paho", "slixmpp", "dbus", "gi",
    "hid", "smpplib", "pika", "websocket", "websockets", "apprise.utils.socket",
})
STATUS_RE = re.compile(r"\berror=(\d{3})\b")
MIN_SECRET_PART = 6
MAX_REASON = 300


def _apprise() -> types.ModuleType:
    """The apprise library, imported on first use: importing it takes most of a second."""
    import apprise

    return apprise


def plugin_for(url: str) -> Any:
    """Apprise's plugin object for the URL, or None when apprise does not understand it."""
    apprise = _apprise()
    asset = apprise.AppriseAsset(storage_mode="memory")  # never write a cache to disk
    return apprise.Apprise.instantiate(url, asset=asset)


def check_url(values: Values) -> Iterable[tuple[str, str]]:
    """The URL must be one apprise understands, of a scheme Herald may use."""
    url = (values.get("url") or "").strip()
    if not url:
        return
    plugin = plugin_for(url) if URL_RE.match(url) else None
    if plugin is None:
        yield "url", ("Apprise does not understand this URL: check its scheme and its form "
                      "in Apprise's list of services.")
        return
    refusal = scheme_refusal(url, plugin, current_app.config if has_app_context() else {})
    if refusal:
        yield "url", refusal


def _module_names(module: types.ModuleType) -> set[str]:
    """The modules a plugin module uses: those it imported, and those of names it took."""
    names = set()
    for value in vars(module).values():
        if isinstance(value, types.ModuleType):
            names.add(value.__name__)
        elif isinstance(value, type | types.FunctionType):
            names.add(getattr(value, "__module__", "") or "")
    return names


@lru_cache(maxsize=512)
def speaks_only_http(plugin_class: type) -> bool:
    """Whether the plugin reaches its service through requests only, which Herald polices."""
    base = _apprise().NotifyBase
    modules: set[str] = set()
    for cls in plugin_class.__mro__:
        if cls is not base and isinstance(cls, type) and issubclass(cls, base):
            modules.add(cls.__module__)
            package = cls.__module__.rsplit(".", 1)[0]
            if package.count(".") >= 2:  # a plugin package: all of its modules count
                modules.update(n for n in list(sys.modules) if n.startswith(f"{package}."))
    used = set().union(*(_module_names(sys.modules[m]) for m in modules if m in sys.modules))
    opaque = any(name in OPAQUE_TRANSPORTS or name.split(".", 1)[0] in OPAQUE_TRANSPORTS
                 for name in used)
    return "requests" in used and not opaque


def allowed_schemes(config: dict[str, Any]) -> set[str]:
    return {s.strip().lower() for s in config.get("HERALD_APPRISE_SCHEMES") or () if s.strip()}


def redact(text: str, url: str) -> str:
    """The text without any longer piece of the URL (tokens, passwords, keys) in it."""
    host = (urlsplit(url).hostname or "").lower()
    parts = sorted({part for part in re.split(r"[/:@?&=#,]+", url.split("://", 1)[-1])
                    if len(part) >= MIN_SECRET_PART and part.lower() != host},
                   key=len, reverse=True)
    for part in parts:
        text = text.replace(part, "[redacted]")
    return text


def _failure(result: Any, url: str) -> SendError:
    """The SendError for a failed notify: apprise's own warnings, without secrets."""
    messages = [entry.message for entry in result.logs()
                if entry.level in ("WARNING", "ERROR", "CRITICAL")]
    reason = " ".join(" ".join(dict.fromkeys(messages)).split()) or "the service refused it"
    reason = redact(reason, url)
    if len(reason) > MAX_REASON:
        reason = reason[: MAX_REASON - 1] + "…"
    status = STATUS_RE.search(reason)
    code = int(status.group(1)) if status else None
    permanent = code is not None and 400 <= code < 500 and code != 429
    return SendError(f"Apprise: {reason}", permanent=permanent, status=code)


def scheme_refusal(url: str, plugin: Any, config: Any) -> str | None:
    """Why the URL's scheme may not be used, or None: non-HTTP ones need the admin's yes."""
    scheme = url.split("://", 1)[0].lower()
    if speaks_only_http(type(plugin)) or scheme in allowed_schemes(config):
        return None
    return (f"{scheme}:// is not allowed: Herald cannot check where this Apprise service "
            "connects. An admin can allow it with HERALD_APPRISE_SCHEMES.")


def _checked_plugin(ctx: SendContext) -> Any:
    """The URL's plugin, if apprise knows it and the policy can see where it connects."""
    url = ctx.values["url"].strip()
    plugin = plugin_for(url)
    if plugin is None:
        raise SendError("Apprise does not understand this URL", permanent=True)
    refusal = scheme_refusal(url, plugin, ctx.config)
    if refusal:  # allowed when it was saved, no longer now
        raise SendError(refusal, permanent=True)
    return plugin


def send(ctx: SendContext) -> Sent:
    """Notify through apprise, every socket it opens held to Herald's outbound policy."""
    apprise = _apprise()
    plugin = _checked_plugin(ctx)
    timeout = float(ctx.config.get("HERALD_HTTP_TIMEOUT") or DEFAULT_TIMEOUT)
    plugin.socket_connect_timeout = plugin.socket_read_timeout = timeout
    notifier = apprise.Apprise(asset=plugin.asset)
    notifier.add(plugin)
    notify_type = (apprise.NotifyType.FAILURE if ctx.group.status == "firing"
                   else apprise.NotifyType.SUCCESS)
    title, body = ctx.text("title"), ctx.text("message")
    with deadlines.Deadline(timeout * EXCHANGES) as deadline, \
            sockets.policed(deadline) as guard:
        result = notifier.notify(body=body or title, title=title, notify_type=notify_type,
                                 body_format=ctx.values.get("format") or "text")
    if guard.refused is not None:
        raise SendError(str(guard.refused), permanent=True)
    if deadline.expired:
        raise SendError(f"timed out after {timeout * EXCHANGES:g} s")
    if not result:
        raise _failure(result, ctx.values["url"])
    return Sent()


INTEGRATION = IntegrationType(
    type="apprise",
    label="Apprise",
    description="Sends through any of the 100+ services of the Apprise library "
    "(ntfy, Pushover, Signal, SMS gateways...), named by an Apprise URL.",
    fields=(
        Field("url", "Apprise URL", required=True, secret=True,
              placeholder="pover://user@token",
              help="The service's Apprise URL (see appriseit.com for every service). "
              "Services that do not speak HTTP, such as mailto://, need an admin's "
              "permission (HERALD_APPRISE_SCHEMES)."),
        Field("title", "Title", template="default.title"),
        Field("message", "Message", element="textarea", template="default.message"),
        Field("format", "Message format", element="select", options=BODY_FORMATS,
              default="text", help="How the service should read the message."),
    ),
    rules=(check_url,),
    summary=lambda values: f"{values['url'].split('://', 1)[0].lower()}://"
    if "://" in (values.get("url") or "") else "",
    send=send,
    category="Generic",
)
