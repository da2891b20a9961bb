"""Command-line entry points: the production server and `flask` commands."""
from __future__ import annotations

import argparse
import os
import signal
import threading
from dataclasses import replace
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from app.server import Limits, make_server

users_cli = AppGroup("users", help="Manage accounts.")
secrets_cli = AppGroup("secrets", help="Manage the encryption of secret settings.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")
SHUTDOWN_DEADLINE = 30.0  # seconds sends in flight may take to finish on SIGTERM


def serve(argv: list[str] | None = None) -> None:
    """Start Herald under waitress, a production WSGI server."""
    parser = argparse.ArgumentParser(description="Run the Herald server.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=5000, help="port to listen on")
    parser.add_argument("--threads", type=int, default=Limits.threads, help="worker threads")
    parser.add_argument("--connection-limit", type=int, default=Limits.connection_limit,
                        help="open connections at most")
    parser.add_argument("--header-timeout", type=float, default=Limits.header_timeout,
                        help="seconds a client may take to send its request headers")
    args = parser.parse_args(argv)
    limits = replace(Limits(), threads=args.threads, connection_limit=args.connection_limit,
                     header_timeout=args.header_timeout)

    from app import create_app
    from app.runner import build_worker

    # Links in notifications point at where this server listens, unless told otherwise.
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    host = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
    os.environ.setdefault("HERALD_EXTERNAL_URL", f"http://{host}:{args.port}/")
    try:
        application = create_app()
    except RuntimeError as exc:  # a configuration mistake: say which, without a traceback
        raise SystemExit(f"Herald cannot start: {exc}") from None
    worker = build_worker(application).start() if application.config["HERALD_WORKERS"] else None
    server = make_server(application, args.host, args.port, limits)
    stop_on_sigterm(worker)
    print(f"Herald listening on http://{args.host}:{args.port}/", flush=True)
    try:
        server.run()
    finally:
        server.close()


def stop_on_sigterm(worker) -> None:
    """SIGTERM: stop claiming, let sends in flight finish (up to a deadline), then exit."""

    def stop(signum, frame) -> None:
        if worker is not None:
            worker.stop(SHUTDOWN_DEADLINE)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def _fail(message: str) -> None:
    raise click.ClickException(message)


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["viewer", "editor", "admin"]), default="viewer")
@click.password_option(help="Prompted for when not given.")
def users_create(username: str, role: str, password: str) -> None:
    """Create an account."""
    from app.accounts import create_user

    user, errors = create_user(username, password, role)
    if errors:
        _fail(" ".join(errors.values()))
    click.echo(f"Created {user.role} account {user.username}.")


@users_cli.command("list")
def users_list() -> None:
    """List accounts and their roles."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User

    for user in db.session.scalars(select(User).order_by(User.name_key)):
        click.echo(f"{user.username}\t{user.role}")


@users_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(["viewer", "editor", "admin"]))
def users_set_role(username: str, role: str) -> None:
    """Change the role of an account."""
    from app.accounts import find_user, set_role

    user = find_user(username) or _fail(f"No account named {username!r}.")
    problem = set_role(user, role)
    if problem:
        _fail(problem)
    click.echo(f"{user.username} is now {role}.")


@users_cli.command("delete")
@click.argument("username")
def users_delete(username: str) -> None:
    """Remove an account (never the last admin)."""
    from app.accounts import delete_user, find_user

    user = find_user(username) or _fail(f"No account named {username!r}.")
    problem = delete_user(user)
    if problem:
        _fail(problem)
    click.echo(f"Removed {username}.")


@secrets_cli.command("generate-key")
def secrets_generate_key() -> None:
    """Print a new encryption key, to put first in HERALD_ENCRYPTION_KEY."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())


@secrets_cli.command("rotate")
def secrets_rotate() -> None:
    """Re-encrypt every stored secret under the first key of HERALD_ENCRYPTION_KEY."""
    from app.secrets_rotation import rotate_all

    count = rotate_all()
    click.echo(f"Re-encrypted {count} secret setting(s) under the newest key.")


@tokens_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(["sender", "viewer", "editor", "admin"]),
              default="viewer")
def tokens_create(name: str, role: str) -> None:
    """Create an API token and print it (only once: Herald keeps a digest)."""
    from app.provisioning.tokens import create_token

    _, value, errors = create_token(name, role, "")  # made by no account
    if errors:
        _fail(" ".join(errors.values()))
    click.echo(value)


@tokens_cli.command("list")
def tokens_list() -> None:
    """List API tokens and their roles."""
    from app.provisioning.tokens import list_tokens

    for token in list_tokens():
        click.echo(f"{token.name}\t{token.role}\t{token.last_used_at or 'never used'}")


@tokens_cli.command("revoke")
@click.argument("name")
def tokens_revoke(name: str) -> None:
    """Revoke an API token."""
    from app.provisioning.tokens import find_token, revoke_token

    token = find_token(name) or _fail(f"No API token named {name!r}.")
    revoke_token(token)
    click.echo(f"Revoked {token.name}.")


@click.command("provision")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def provision_command(path: Path, dry_run: bool) -> None:
    """Import a Grafana provisioning file, or every *.yaml/*.yml/*.json of a folder."""
    from app.provisioning import DocumentError, provision

    try:
        plan = provision(path, dry_run=dry_run)
    except DocumentError as exc:
        _fail(str(exc))
    for change in plan.changes:
        notes = "; ".join(filter(None, [change.reason, change.review and
                                        f"needs review: {change.review}"]))
        click.echo("\t".join([change.action, change.kind.lower(), change.name, change.detail,
                              notes]).rstrip())
    click.echo(("Dry run, nothing written: " if dry_run else "") + plan.describe_counts())
    if plan.refused:
        _fail(f"{len(plan.refused)} entr{'y was' if len(plan.refused) == 1 else 'ies were'} "
              "refused" + ("." if dry_run else "; the rest was imported."))


@click.command("worker")
@click.option("--threads", type=int, default=None,
              help="Sender threads (default: HERALD_WORKERS, or 4 when that is 0).")
@click.option("--metrics-port", type=int, default=0,
              help="Serve this worker's /metrics on 127.0.0.1:PORT (0: not at all).")
@with_appcontext
def worker_command(threads: int | None, metrics_port: int) -> None:
    """Deliver notifications from the outbox, without the web server (SIGTERM stops it)."""
    from flask import current_app

    from app.delivery.metrics import serve_metrics
    from app.runner import build_worker

    application = current_app._get_current_object()
    count = threads or application.config["HERALD_WORKERS"] or 4
    worker = build_worker(application, count).start()
    if metrics_port:
        serve_metrics(application, metrics_port)
    stopped = threading.Event()

    def stop(signum, frame) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"Herald worker {worker.id} running {count} sender threads.")
    stopped.wait()
    click.echo("Stopping: letting notifications in flight finish.")
    if not worker.stop(SHUTDOWN_DEADLINE):
        click.echo("Some sends did not finish in time; their notifications will be retried.")


def register(app: Flask) -> None:
    """Attach Herald's `flask` sub-commands to the app."""
    app.cli.add_command(worker_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(secrets_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(provision_command)
