"""The repository itself: no file keeps the markers of an unresolved merge."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)
CHECKED = ("README.md", "pyproject.toml", "app", "templates", "static", "tests", "bench", ".ci")
SUFFIXES = {".py", ".md", ".html", ".toml", ".css", ".js", ".yaml", ".yml", ".txt", ""}


def test_no_file_keeps_merge_conflict_markers():
    found = []
    for name in CHECKED:
        path = ROOT / name
        for file in [path] if path.is_file() else path.rglob("*"):
            if not file.is_file() or file.suffix not in SUFFIXES or "__pycache__" in file.parts:
                continue
            text = file.read_text(encoding="utf-8", errors="replace")
            found += [f"{file.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}"
                      for m in MARKER.finditer(text)]
    assert found == []
