from editorial import views


def test_it_reports_healthy_services(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}
    assert "no-cache" in response.headers["Cache-Control"]


def test_it_answers_503_and_names_the_failing_service(client, db, monkeypatch):
    def down():
        raise ConnectionError("refused")

    monkeypatch.setattr(views, "_cache", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "error: ConnectionError"
    assert response.json()["checks"]["database"] == "ok"
