"""Herald: where a team's alerts go."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import logs
from app.config import load_config
from app.extensions import csrf, db, migrate
from app.version import __version__ as __version__

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application: configuration, extensions, blueprints, schema."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, test_config)
    # Waitress's, Flask's and Herald's own lines all pass the one redaction filter.
    logs.configure(app.config["HERALD_LOG_FORMAT"])
    logs.hide_always([app.config["SMTP"]["password"], app.config["SECRET_KEY"],
                      *app.config["HERALD_ENCRYPTION_KEYS"]])
    if app.config["HERALD_PROXY_HOPS"]:
        # Behind that many reverse proxies: trust their X-Forwarded-* for the client's
        # address (login throttling) and scheme.
        hops = app.config["HERALD_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)

    from app import auth, cli, models, views, web  # noqa: F401 (models registers the tables)
    from app.alerting import models as alerting_models  # noqa: F401
    from app.delivery import models as delivery_models  # noqa: F401
    from app.schema import start_up

    app.before_request(auth.enforce_access)
    views.register(app)
    web.register(app)
    cli.register(app)

    start_up(app)
    return app
