"""The OpenAPI schema (/api/schema/) documents every status code the compare endpoints answer,
the fields of an error, and the API key scheme."""


def test_it_documents_every_status_code_in_the_openapi_schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    post = schema["paths"]["/api/v1/compare"]["post"]
    assert set(post["responses"]) == {
        "200",
        "202",
        "400",
        "401",
        "402",
        "409",
        "413",
        "422",
        "429",
        "503",
    }  # 409: an Idempotency-Key still being accepted; 503: the file store or database is down
    poll = schema["paths"]["/api/v1/compare/{job_id}"]["get"]
    assert {"200", "401", "404", "429"} <= set(poll["responses"])
    diff = schema["paths"]["/api/v1/compare/{job_id}/diff.png"]["get"]
    assert set(diff["responses"]) == {"200", "401", "404", "429", "503"}  # 503: the store is down
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["name"] == "X-API-Key"


def test_an_error_may_name_the_job_that_failed(client):
    """A comparison that failed while being answered (a 422, or a 503 when its inputs could not be
    stored) is answered with its job_id beside the error."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["job_id"]["format"] == "uuid"
    assert "job_id" not in error.get("required", [])
