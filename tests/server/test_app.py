"""The app's edges: health, error bodies for unknown routes and crashes, the OpenAPI document."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from sync.wire_errors import ErrorCode


def test_health_needs_no_token(server_client):
    response = server_client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "wire_version": 1}


def test_unknown_route_has_an_error_body(server_client):
    response = server_client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_wrong_method_has_an_error_body(server_client):
    response = server_client.get("/api/v1/sync/push")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "invalid_request"


def test_unexpected_error_is_500_without_a_stack(server_app, registered_kiosk, monkeypatch):
    from server.services import feed

    def explode(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(feed, "read_changes", explode)
    with TestClient(server_app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/sync/pull", headers=registered_kiosk.headers)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret" not in response.text and "Traceback" not in response.text


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_openapi_document_is_complete_and_valid(server_client):
    document = server_client.get("/openapi.json").json()
    validate(document)  # the OpenAPI 3.1 specification's own schema
    schemas = document["components"]["schemas"]
    for ref in _refs(document):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref

    push = document["paths"]["/api/v1/sync/push"]["post"]
    body_ref = push["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body_ref == "#/components/schemas/PushRequest"
    assert schemas["PushRequest"]["properties"]["records"]["items"]["$ref"].endswith("/Envelope")
    assert push["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/PushResponse")
    for status in ("400", "401", "403", "413", "422", "429"):
        assert push["responses"][status]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ErrorResponse"), status

    pull = document["paths"]["/api/v1/sync/pull"]["get"]
    assert {p["name"] for p in pull["parameters"]} == {"cursor", "limit"}
    assert pull["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/PullResponse")
    assert set(schemas["ErrorCode"]["enum"]) == {code.value for code in ErrorCode}
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_one_formatter_for_validation_messages(server_client, registered_kiosk):
    from server.errors import describe_validation_errors

    errors = [{"loc": ("payload", "items", 0, "name"), "msg": "Field required"},
              {"loc": (), "msg": "Input should be an object"},
              {"loc": ("a",), "msg": "x"}, {"loc": ("b",), "msg": "y"}, {"loc": ("c",), "msg": "z"}]
    assert describe_validation_errors(errors) == (
        "payload.items.0.name: Field required; (record): Input should be an object; a: x (and 2 more)"
    )
    # A whole-request 422 and a per-record 422 read the same way.
    response = server_client.get("/api/v1/sync/pull", params={"cursor": -1, "limit": 0},
                                 headers=registered_kiosk.headers)
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert message.startswith("query.cursor: ") and "; query.limit: " in message
    pushed = server_client.post("/api/v1/sync/push", json={"records": [
        {"id": "x", "kind": "help_call", "created_at": 1, "kiosk_id": "y", "payload": []}]},
        headers=registered_kiosk.headers)
    assert pushed.json()["results"][0]["message"].endswith("(and 1 more)")


_SERVE_AND_COUNT_FROZEN = """
import gc
from fastapi.testclient import TestClient
from server.app import create_app, serve_app
with TestClient(create_app()) as client:
    client.get("/api/v1/health").raise_for_status()
    print(gc.get_freeze_count())
with TestClient(serve_app()) as client:
    client.get("/api/v1/health").raise_for_status()
    print(gc.get_freeze_count())
"""


def test_a_served_app_freezes_its_startup_heap(server_settings, migrated_engine):
    # In a child process: a frozen heap stays frozen for the life of the process.
    done = subprocess.run([sys.executable, "-c", _SERVE_AND_COUNT_FROZEN], capture_output=True,
                          text=True, timeout=120, check=True,
                          env={**os.environ, "LINLI_DATABASE_URL": server_settings.database_url})
    plain, served = (int(line) for line in done.stdout.split())
    assert plain == 0  # tests build many apps in one process: they freeze nothing
    assert served > 50_000  # FastAPI, SQLAlchemy, pydantic, scikit-learn: out of the collector's way
