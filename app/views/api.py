"""The JSON API: Grafana's alerting provisioning paths, models and status codes.

Views are registered from ROUTES, the table the OpenAPI description is generated from.
Bearer tokens (or a session with its CSRF header for writes) are checked by
app.auth.enforce_access before any view runs, so the blueprint is exempt from the form CSRF.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from app.auth import current_principal, requires
from app.extensions import csrf
from app.provisioning import operations
from app.provisioning.document import FORMATS, MEDIA_TYPES, nesting_problem, too_deep
from app.provisioning.export import contact_points, export_text, file_name
from app.provisioning.openapi import Param, Route, openapi_document
from app.provisioning.operations import ApiError
from app.text import BadText, clean
from app.version import __version__
from app.views.intake import route_post_webhook_alertmanager

PREFIX = "/api"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)
TRUE = ("1", "true", "yes")


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return jsonify(message=error.message), error.status


def _body() -> Any:
    """The JSON body, refused when nested deeper or larger than a provisioning file may be."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # json gives up past Python's recursion limit
        body, problem = None, too_deep()
    else:
        problem = nesting_problem(body)
    if problem:
        raise ApiError(400, f"The body cannot be read: {problem}.")
    try:
        return clean(body)
    except BadText as exc:
        raise ApiError(400, f"{exc}.") from None


@requires("viewer")
def route_get_contactpoints():
    return jsonify(operations.list_contact_points(request.args.get("name") or None))


@requires("editor")
def route_post_contactpoints():
    return jsonify(operations.create_contact_point(_body())), 202


@requires("editor")
def route_put_contactpoint(uid: str):
    return jsonify(operations.update_contact_point(uid, _body())), 202


@requires("editor")
def route_delete_contactpoints(uid: str):
    operations.delete_contact_point(uid)
    return jsonify(message="Contact point integration deleted."), 202


@requires("viewer")
def route_get_contactpoints_export():
    """Grafana's file-provisioning document; decrypt=true (admins) includes the secrets."""
    output_format = request.args.get("format", "yaml").lower()
    if output_format not in FORMATS:
        raise ApiError(400, "format must be yaml or json.")
    decrypt = request.args.get("decrypt", "").lower() in TRUE
    if decrypt:
        _check_may_decrypt()
    name = request.args.get("name") or None
    if name is not None and not contact_points(name):
        raise ApiError(404, f"There is no contact point named {name!r}.")
    response = Response(export_text(name, decrypt, output_format),
                        mimetype=MEDIA_TYPES[output_format])
    if request.args.get("download", "").lower() in TRUE:
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{file_name(name, output_format)}"')
    return response


def _check_may_decrypt() -> None:
    """Secrets go only to an admin's API token.

    A browser sends its session cookie with any GET, so a link on another site could make
    a signed-in admin's browser fetch every secret; people use the Export page's form
    instead, a POST that carries its CSRF token.
    """
    principal = current_principal()
    if not principal.can("admin"):
        raise ApiError(403, "Only admins may export secrets (decrypt=true).")
    if not principal.via_token:
        raise ApiError(403, "decrypt=true needs an admin's API token (Authorization: Bearer); "
                            "signed in, use the Export page with “Include secrets” instead.")


@requires("viewer")
def route_get_templates():
    return jsonify(operations.list_templates())


@requires("viewer")
def route_get_template(name: str):
    template = operations.get_template(name)
    if template is None:
        raise ApiError(404, f"There is no template named {name!r}.")
    return jsonify(operations.template_model(template))


@requires("editor")
def route_put_template(name: str):
    return jsonify(operations.put_template(name, _body())), 202


@requires("editor")
def route_delete_template(name: str):
    operations.delete_template(name)
    return "", 204


@requires("viewer")
def route_get_policy_tree():
    return jsonify(operations.get_policies())


@requires("editor")
def route_put_policy_tree():
    operations.put_policies(_body())
    return jsonify(message="policies updated"), 202


@requires("editor")
def route_reset_policy_tree():
    operations.reset_policies()
    return jsonify(message="policies resetted"), 202


@requires("viewer")
def route_get_policy_tree_export():
    output_format = request.args.get("format", "yaml").lower()
    if output_format not in FORMATS:
        raise ApiError(400, "format must be yaml or json.")
    return Response(operations.export_policies(output_format),
                    mimetype=MEDIA_TYPES[output_format])


@requires("viewer")
def openapi():
    return jsonify(openapi_document(ROUTES, __version__, PREFIX))


CONTACT_POINTS = "/v1/provisioning/contact-points"
TEMPLATES = "/v1/provisioning/templates"
POLICIES = "/v1/provisioning/policies"
NAME = Param("name", "Only the contact point with this name.", {"type": "string"})
ROUTES: tuple[Route, ...] = (
    Route("GET", CONTACT_POINTS, route_get_contactpoints,
          "List embedded contact points: one per integration, without secret settings.",
          query=(NAME,), answer=(200, "EmbeddedContactPoint", True)),
    Route("POST", CONTACT_POINTS, route_post_contactpoints,
          "Create an integration; its name joins or creates the contact point.",
          body="EmbeddedContactPoint", answer=(202, "EmbeddedContactPoint", False)),
    Route("PUT", CONTACT_POINTS + "/{uid}", route_put_contactpoint,
          "Update an integration; secret settings left out keep their stored value.",
          body="EmbeddedContactPoint", answer=(202, "EmbeddedContactPoint", False)),
    Route("DELETE", CONTACT_POINTS + "/{uid}", route_delete_contactpoints,
          "Delete an integration (and its contact point when it is the last one).",
          answer=(202, "Message", False)),
    Route("GET", CONTACT_POINTS + "/export", route_get_contactpoints_export,
          "Export contact points and templates in Grafana's file-provisioning format.",
          query=(Param("format", "yaml (default) or json.", {"type": "string",
                                                               "enum": list(FORMATS)}),
                 NAME,
                 Param("decrypt", "true to include secrets (an admin's API token only; "
                       "audit-logged).",
                       {"type": "boolean"}),
                 Param("download", "true to answer as a file download.", {"type": "boolean"})),
          answer=(200, "ProvisioningDocument", False),
          media_types=("application/yaml", "application/json")),
    Route("GET", TEMPLATES, route_get_templates, "List notification templates.",
          answer=(200, "NotificationTemplate", True)),
    Route("GET", TEMPLATES + "/{name}", route_get_template, "Get a notification template.",
          answer=(200, "NotificationTemplate", False)),
    Route("PUT", TEMPLATES + "/{name}", route_put_template,
          "Create or update a notification template (Go templates are translated).",
          body="NotificationTemplateContent", answer=(202, "NotificationTemplate", False)),
    Route("DELETE", TEMPLATES + "/{name}", route_delete_template,
          "Delete a notification template that nothing uses.", answer=(204, "", False)),
    Route("POST", "/v1/webhook/alertmanager", route_post_webhook_alertmanager,
          "Accept an alert group in Alertmanager's (or Grafana's) webhook format for a "
          "contact point; 202 once its notifications are stored. Needs a sender, editor or "
          "admin token.",
          query=(Param("contact_point", "The contact point to notify.", {"type": "string"}),),
          body="AlertGroup", answer=(202, "Accepted", False)),
    Route("GET", POLICIES, route_get_policy_tree, "Get the notification policy tree.",
          answer=(200, "Route", False)),
    Route("PUT", POLICIES, route_put_policy_tree,
          "Replace the notification policy tree (matchers checked, contact points must exist).",
          body="Route", answer=(202, "Message", False)),
    Route("DELETE", POLICIES, route_reset_policy_tree,
          "Reset the policy tree to the default policy.", answer=(202, "Message", False)),
    Route("GET", POLICIES + "/export", route_get_policy_tree_export,
          "Export the policy tree in Grafana's file-provisioning format.",
          query=(Param("format", "yaml (default) or json.", {"type": "string",
                                                               "enum": list(FORMATS)}),),
          answer=(200, "ProvisioningDocument", False),
          media_types=("application/yaml", "application/json")),
    Route("GET", "/openapi.json", openapi, "This description, in OpenAPI 3.",
          answer=(200, "", False)),
)

for route in ROUTES:
    bp.add_url_rule(route.flask_path, endpoint=route.view.__name__, view_func=route.view,
                    methods=[route.method])
