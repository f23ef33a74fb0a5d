"""`shop run` serves the API, Swagger UI and the contract on loopback.

The health probe is read through the SDK; the rest is raw HTTP on purpose: a HEAD, the documentation page,
the contract itself and an unknown path are no operations of the SDK, and the exact answer is what is checked."""

import httpx

from shoplocal.gateway import load_spec


def test_health_answers_ok_through_the_sdk(shop):
    assert shop.health().status == "ok"


def test_health_answers_200_json_ok(local_stack):
    response = httpx.get(f"{local_stack}/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_head_health_answers_200_without_a_body(local_stack):
    response = httpx.head(f"{local_stack}/health")
    assert response.status_code == 200 and response.content == b""


def test_swagger_ui_is_served_at_ui(local_stack):
    response = httpx.get(f"{local_stack}/ui/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "swagger-ui" in response.text


def test_openapi_json_is_the_contract(local_stack):
    response = httpx.get(f"{local_stack}/openapi.json")
    assert response.status_code == 200
    served, spec = response.json(), load_spec()
    assert served["openapi"] == spec["openapi"] and served["info"] == spec["info"]
    assert set(served["paths"]) == set(spec["paths"])


def test_an_unknown_path_is_a_404_problem(local_stack):
    response = httpx.get(f"{local_stack}/clients/")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
