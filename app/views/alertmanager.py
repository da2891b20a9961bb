"""Alertmanager's API v2, the parts Prometheus and amtool use: alerts, groups, silences, status."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, jsonify, request

from app.alerting.amapi import (
    BadRequest,
    gettable_silence,
    list_alerts,
    list_groups,
    parse_filter,
    parse_receiver,
    postable_alerts,
    postable_silence,
)
from app.alerting.matchers import compile_lists, matches_all
from app.alerting.policies import current_route
from app.alerting.silences import SilenceError, expire_silence, list_silences, save_silence
from app.alerting.state import ingest_and_commit
from app.auth import actor_name, requires
from app.extensions import csrf, db
from app.models import utcnow
from app.version import __version__
from app.views.intake import wake_workers

bp = Blueprint("alertmanager", __name__, url_prefix="/api/v2")
csrf.exempt(bp)
STARTED = datetime.now(UTC)
FALSE = ("false", "0", "no")


@bp.errorhandler(BadRequest)
def bad_request(error: BadRequest):
    return jsonify(str(error)), 400  # Alertmanager answers its errors as a JSON string


def _flag(name: str) -> bool:
    return request.args.get(name, "true").lower() not in FALSE


def _body():
    body = request.get_json(silent=True)
    if body is None:
        raise BadRequest("the body must be JSON")
    return body


@bp.post("/alerts")
@requires("sender")
def post_alerts():
    ingest_and_commit(postable_alerts(_body()))
    wake_workers()
    return jsonify(None), 200


@bp.get("/alerts")
@requires("viewer")
def get_alerts():
    return jsonify(list_alerts(parse_filter(request.args.getlist("filter")),
                               parse_receiver(request.args.get("receiver")),
                               active=_flag("active"), silenced=_flag("silenced")))


@bp.get("/alerts/groups")
@requires("viewer")
def get_alert_groups():
    return jsonify(list_groups(parse_filter(request.args.getlist("filter")),
                               parse_receiver(request.args.get("receiver")),
                               active=_flag("active"), silenced=_flag("silenced")))


@bp.get("/silences")
@requires("viewer")
def get_silences():
    filters = parse_filter(request.args.getlist("filter"))
    now = utcnow()
    return jsonify([gettable_silence(silence, now) for silence in list_silences()
                    if matches_all(filters, {m.name: m.value
                                             for m in compile_lists(silence.matchers)})])


@bp.post("/silences")
@requires("editor")
def post_silence():
    fields = postable_silence(_body())
    fields["created_by"] = fields["created_by"] or actor_name()
    try:
        silence = save_silence(**fields)
    except SilenceError as exc:
        db.session.rollback()
        raise BadRequest(str(exc)) from None
    except LookupError as exc:
        db.session.rollback()
        return jsonify(str(exc)), 404
    db.session.commit()
    return jsonify(silenceID=silence.id), 200


@bp.get("/silence/<silence_id>")
@requires("viewer")
def get_silence(silence_id: str):
    found = [s for s in list_silences() if s.id == silence_id]
    if not found:
        return jsonify(f"silence {silence_id} not found"), 404
    return jsonify(gettable_silence(found[0]))


@bp.delete("/silence/<silence_id>")
@requires("editor")
def delete_silence(silence_id: str):
    try:
        expire_silence(silence_id)
    except LookupError as exc:
        return jsonify(str(exc)), 404
    except SilenceError as exc:
        raise BadRequest(str(exc)) from None
    db.session.commit()
    return jsonify(None), 200


@bp.get("/status")
@requires("viewer")
def status():
    return jsonify({
        "cluster": {"name": "herald", "status": "ready", "peers": []},
        "versionInfo": {"version": __version__, "branch": "", "revision": "", "buildUser": "",
                        "buildDate": "", "goVersion": ""},
        "config": {"original": ""},
        "uptime": STARTED.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    })


@bp.get("/receivers")
@requires("viewer")
def receivers():
    names = dict.fromkeys(r.opts.receiver for r in current_route().walk() if r.opts.receiver)
    return jsonify([{"name": name} for name in names])
