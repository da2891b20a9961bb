"""Browser tests: a real Chromium, driven by Playwright, against Herald under waitress."""
