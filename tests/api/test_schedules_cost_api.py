"""Schedules, overrides and cost over HTTP, through the same services as the page and CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from barista_ui.app import App
from tests.api.conftest import create


def test_team_schedule_set_show_clear_and_bad_spec(api: TestClient, barista: App) -> None:
    res = api.put("/v1/schedules/teams/payments", json={"uptime": "Mon-Fri 08:00-18:00"})
    assert res.status_code == 200, res.text
    assert res.json()[0]["uptime"] == "Mon-Fri 08:00-18:00"
    assert ("team", "payments") in barista.scheduler.policies()
    bad = api.put("/v1/schedules/teams/payments", json={"uptime": "whenever"})
    assert bad.status_code == 422 and bad.json()["type"].endswith("/invalid-input")
    bad_team = api.put("/v1/schedules/teams/Not%20a%20team", json={"uptime": "Mon 08:00-18:00"})
    assert bad_team.status_code == 422 and bad_team.json()["errors"][0]["field"] == "team"
    assert api.delete("/v1/schedules/teams/payments").status_code == 200
    assert barista.scheduler.policies()[("team", "payments")].uptime is None


def test_model_explain_and_override(api: TestClient) -> None:
    create(api)
    url = "/v1/schedules/models/ml-prod/fraud-scorer"
    assert api.get(url).json()["state"] == "up"
    until = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    res = api.put(url + "/override", json={"state": "down", "until": until, "reason": "test"})
    assert res.status_code == 200, res.text
    explained = api.get(url).json()
    assert explained["state"] == "down" and explained["rule"] == "override"
    assert api.delete(url + "/override").json() == {"cleared": 1}


def test_cost_estimate_report_budgets(api: TestClient) -> None:
    est = api.get("/v1/cost/estimate", params={"cpu": "4", "memory": "16Gi", "hours": 10})
    assert est.status_code == 200
    body = est.json()
    assert body["total_usd"] > 0 and set(body["breakdown_usd"]) == {"cpu", "memory", "gpu"}
    bad = api.get("/v1/cost/estimate", params={"cpu": "four", "memory": "16Gi"})
    assert bad.status_code == 422
    rep = api.get("/v1/cost/report", params={"from": "2026-11-01", "to": "2026-11-02"})
    assert rep.status_code == 200 and rep.json()["source"] == "modeled"
    wrong = api.get(
        "/v1/cost/report",
        params={"from": "2026-11-01", "to": "2026-11-02", "source": "billing", "by": "namespace"},
    )
    assert wrong.status_code == 422 and "not namespaces" in wrong.json()["detail"]
    assert api.put("/v1/cost/budgets/payments", json={"monthly_usd": 1000}).status_code == 200
    assert api.get("/v1/cost/budgets").json() == [{"team": "payments", "monthly_usd": 1000.0}]
    assert api.put("/v1/cost/budgets/payments", json={"monthly_usd": -5}).status_code == 422


def test_billing_import_body_and_bad_file(api: TestClient) -> None:
    res = api.post(
        "/v1/cost/billing-imports",
        params={"format": "focus"},
        content=b"not,a,focus,file\n1,2,3,4\n",
        headers={"Content-Type": "text/csv"},
    )
    assert res.status_code == 422 and res.json()["type"].endswith("/invalid-billing-file")


def test_prices_round_trip(api: TestClient) -> None:
    table = api.get("/v1/cost/prices").json()
    assert table
    res = api.put("/v1/cost/prices", json={"entries": table})
    assert res.status_code == 200 and res.json()["entries"] == len(table)
