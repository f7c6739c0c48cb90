import pytest

PAGES = [
    "/outcomes/objectives/?status=a%00b",
    "/reviews/?kind=%00",
    "/roadmap/?period=2027%00",
    "/requests/similar/?q=quote%00",
    "/requests/?status=new&status=%00",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_nul_in_query_is_a_clear_400_not_a_server_error(clients, path):
    response = clients["lead"].get(path)
    assert response.status_code == 400
    assert "null character" in response.content.decode()


@pytest.mark.django_db
def test_nul_in_api_query_is_a_400_naming_the_parameter(api_clients):
    response = api_clients["member"].get("/api/v1/requests/similar/?q=quote%00")
    assert response.status_code == 400
    assert "null character" in response.json()["q"][0]


@pytest.mark.django_db
def test_ordinary_queries_pass(clients):
    assert clients["lead"].get("/reviews/?kind=roadmap").status_code == 200
