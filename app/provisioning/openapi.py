"""The API's route table type and the OpenAPI 3 description generated from the table.

The blueprint registers its views from the same table, so the description cannot drift
from what is served; each route's role is read from its view's @requires.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PATH_PARAM_RE = re.compile(r"\{(\w+)\}")
REASONS = {
    200: "OK", 202: "Accepted", 204: "No Content", 400: "Invalid request: the message names "
    "the field", 401: "No valid API token (or session)", 403: "The role does not allow this",
    404: "Not found", 409: "Conflict: a name or uid clash, or the object is in use",
    413: "The body is larger than 1 MiB",
}
TEXT = {"type": "string"}
SETTINGS = {"type": "object", "additionalProperties": True,
            "description": "Grafana's settings for the type, under Grafana's keys."}
SCHEMAS: dict[str, dict[str, Any]] = {
    "EmbeddedContactPoint": {
        "type": "object",
        "required": ["name", "type", "settings"],
        "properties": {
            "uid": {**TEXT, "pattern": "^[A-Za-z0-9_-]{1,40}$"},
            "name": {**TEXT, "description": "The contact point this integration belongs to."},
            "type": {**TEXT, "example": "slack"},
            "settings": {**SETTINGS, "description": "Secret settings are never returned."},
            "disableResolveMessage": {"type": "boolean", "default": False},
        },
    },
    "NotificationTemplate": {
        "type": "object",
        "properties": {"name": TEXT, "template": TEXT},
    },
    "NotificationTemplateContent": {
        "type": "object", "required": ["template"], "properties": {"template": TEXT},
    },
    "ProvisioningDocument": {
        "type": "object",
        "description": "Grafana's file-provisioning document (apiVersion 1).",
        "properties": {
            "apiVersion": {"type": "integer", "enum": [1]},
            "contactPoints": {"type": "array", "items": {"type": "object"}},
            "templates": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Message": {"type": "object", "properties": {"message": TEXT}},
    "AlertGroup": {
        "type": "object",
        "required": ["alerts"],
        "description": "Alertmanager's webhook body (version 4), or Grafana's webhook body.",
        "properties": {
            "receiver": TEXT, "status": {**TEXT, "enum": ["firing", "resolved"]},
            "alerts": {"type": "array", "items": {"type": "object", "properties": {
                "status": TEXT, "labels": {"type": "object"}, "annotations": {"type": "object"},
                "startsAt": TEXT, "endsAt": TEXT, "generatorURL": TEXT, "fingerprint": TEXT}}},
            "groupLabels": {"type": "object"}, "commonLabels": {"type": "object"},
            "commonAnnotations": {"type": "object"}, "externalURL": TEXT, "groupKey": TEXT,
            "truncatedAlerts": {"type": "integer"},
        },
    },
    "Accepted": {"type": "object", "properties": {
        "message": {**TEXT, "example": "accepted"},
        "deliveries": {"type": "integer", "description": "Notifications stored to send."}}},
    "Route": {"type": "object", "description": "Grafana's notification policy (route): "
              "receiver, group_by, object_matchers, continue, timings, routes.",
              "properties": {"receiver": TEXT, "group_by": {"type": "array", "items": TEXT},
                             "object_matchers": {"type": "array", "items": {
                                 "type": "array", "items": TEXT}},
                             "continue": {"type": "boolean"}, "group_wait": TEXT,
                             "group_interval": TEXT, "repeat_interval": TEXT,
                             "routes": {"type": "array", "items": {
                                 "$ref": "#/components/schemas/Route"}}}},
}


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict[str, Any]


@dataclass(frozen=True)
class Route:
    """One endpoint: method, OpenAPI path (under /api), view, and what it takes and gives."""

    method: str
    path: str
    view: Callable[..., Any]
    summary: str
    query: tuple[Param, ...] = ()
    body: str = ""  # schema name of the JSON body
    answer: tuple[int, str, bool] = (200, "", False)  # status, schema name, is a list
    media_types: tuple[str, ...] = ("application/json",)

    @property
    def flask_path(self) -> str:
        return PATH_PARAM_RE.sub(r"<\1>", self.path)

    @property
    def role(self) -> str:
        return getattr(self.view, "required_role", "")

    @property
    def path_params(self) -> list[str]:
        return PATH_PARAM_RE.findall(self.path)


def _ref(name: str, many: bool = False) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{name}"}
    return {"type": "array", "items": schema} if many else schema


def _responses(route: Route) -> dict[str, Any]:
    status, schema, many = route.answer
    answer: dict[str, Any] = {"description": REASONS[status]}
    if schema:
        answer["content"] = {media: {"schema": _ref(schema, many)} for media in route.media_types}
    error = {"content": {"application/json": {"schema": _ref("Message")}}}
    codes = [401, 403] + ([400] if route.body or route.query else []) \
        + ([404] if route.path_params else []) + ([409] if route.method != "GET" else [])
    return {str(status): answer,
            **{str(code): {"description": REASONS[code], **error} for code in sorted(codes)}}


def operation(route: Route) -> dict[str, Any]:
    parameters = [{"name": name, "in": "path", "required": True, "schema": TEXT}
                  for name in route.path_params]
    parameters += [{"name": p.name, "in": "query", "required": False,
                    "description": p.description, "schema": p.schema} for p in route.query]
    described: dict[str, Any] = {
        "operationId": route.view.__name__,
        "summary": route.summary,
        "description": f"Requires the {route.role} role.",
        "parameters": parameters,
        "responses": _responses(route),
    }
    if route.body:
        described["requestBody"] = {
            "required": True, "content": {"application/json": {"schema": _ref(route.body)}}}
    return described


def openapi_document(routes: tuple[Route, ...], version: str, prefix: str) -> dict[str, Any]:
    """The OpenAPI 3 description of the routes."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(prefix + route.path, {})[route.method.lower()] = operation(route)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Herald provisioning API", "version": version,
                 "description": "Grafana-compatible alerting provisioning: contact points "
                                "and notification templates."},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "An API token made by an admin."}},
        },
    }
