"""Command-line entry points: the production server and `flask` commands."""
from __future__ import annotations

import argparse

from flask import Flask


def serve(argv: list[str] | None = None) -> None:
    """Start Herald under waitress, a production WSGI server."""
    parser = argparse.ArgumentParser(description="Run the Herald server.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=5000, help="port to listen on")
    parser.add_argument("--threads", type=int, default=8, help="worker threads")
    args = parser.parse_args(argv)

    from waitress import serve as waitress_serve

    from app import create_app

    application = create_app()
    print(f"Herald listening on http://{args.host}:{args.port}/", flush=True)
    waitress_serve(application, host=args.host, port=args.port, threads=args.threads)


def register(app: Flask) -> None:
    """Attach Herald's `flask` sub-commands to the app."""
