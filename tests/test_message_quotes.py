"""Messages people read quote names one way: curly quotes (“name”), never straight ones."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Calls whose text a person reads: flash messages and the errors shown on pages and in the API.
MESSAGE_CALLS = {"flash", "_apply", "abort", "Refused", "ApiError", "BadRequest",
                 "DocumentError", "SendError", "Untranslatable", "TemplateInUse", "ValueError"}
HIDDEN_TEXT_RE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<(code|pre|script|style)\b.*?</\1>"
                            r"|<[^>]*>", re.DOTALL)


def _called(node: ast.Call) -> str:
    return getattr(node.func, "id", "") or getattr(node.func, "attr", "")


def straight_quotes_in_messages(folder: Path = ROOT / "app") -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        for call in ast.walk(ast.parse(path.read_text())):
            if not isinstance(call, ast.Call) or _called(call) not in MESSAGE_CALLS:
                continue
            found += [f"{path.name}:{text.lineno}: {text.value!r}"
                      for text in ast.walk(call)
                      if isinstance(text, ast.Constant) and isinstance(text.value, str)
                      and '"' in text.value]
    return found


def straight_quotes_in_page_text(folder: Path = ROOT / "templates") -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.html")):
        text = HIDDEN_TEXT_RE.sub("", path.read_text())
        found += [f"{path.name}: {line.strip()!r}" for line in text.splitlines()
                  if '"' in line]
    return found


def test_flash_and_error_messages_use_curly_quotes():
    assert straight_quotes_in_messages() == []


def test_page_text_uses_curly_quotes():
    assert straight_quotes_in_page_text() == []


def test_the_scans_find_straight_quotes(tmp_path):
    (tmp_path / "views.py").write_text("flash(f'Contact point \"{name}\" deleted.')\n"
                                       "flash(f\"Contact point “{name}” deleted.\")\n")
    (tmp_path / "page.html").write_text('<p title="x">Shown as "[REDACTED]"</p>\n'
                                        '<code>{"message": "..."}</code>\n')

    assert straight_quotes_in_messages(tmp_path) == [
        "views.py:1: 'Contact point \"'", "views.py:1: '\" deleted.'"]
    assert straight_quotes_in_page_text(tmp_path) == ['page.html: \'Shown as "[REDACTED]"\'']


def test_a_flash_message_reads_with_curly_quotes(client):
    from tests.test_contact_points_views import post_form

    post_form(client, "/contact-points/new", "ops", [("a1", "webhook", {
        "url": "https://hooks.example/a"})])

    assert "Contact point “ops” created." in client.get("/contact-points").get_data(
        as_text=True)
