"""The OpenAPI schema (/api/schema/) documents every status code the compare endpoints answer and
the API key scheme."""


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
    }  # 409: an Idempotency-Key still being accepted
    poll = schema["paths"]["/api/v1/compare/{job_id}"]["get"]
    assert {"200", "401", "404", "429"} <= set(poll["responses"])
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["name"] == "X-API-Key"
