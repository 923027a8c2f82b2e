"""The API page shows the contract with this server's host in its curl lines, every status code
and the rate limits."""


def test_the_api_page_shows_the_contract_with_this_servers_host(client):
    page = client.get("/api").content.decode()
    assert "curl -X POST http://testserver/api/v1/compare" in page
    for code in ("200", "202", "400", "401", "402", "413", "422", "429"):
        assert f"<td>{code}</td>" in page
    assert "3 requests/second and 60/minute per key" in page
