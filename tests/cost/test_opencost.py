"""OpenCost as the cost source, against a local server answering in /allocation's shape."""

from __future__ import annotations

import json
import threading
import urllib.parse
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from barista_ui.cost.opencost import OpenCostClient, OpenCostError


def _alloc(name: str, day: str, total: float, cpu_eff: float) -> dict:
    start = f"{day}T00:00:00Z"
    return {
        "name": name,
        "properties": {"cluster": "demo", "labels": {"model": name}},
        "window": {"start": start, "end": f"{day}T23:59:59Z"},
        "start": start,
        "end": f"{day}T23:59:59Z",
        "cpuCores": 2.0,
        "cpuCoreRequestAverage": 2.0,
        "cpuCoreUsageAverage": 2.0 * cpu_eff,
        "cpuCost": total * 0.6,
        "ramCost": total * 0.4,
        "gpuCost": 0.0,
        "pvCost": 0.0,
        "networkCost": 0.0,
        "totalCost": total,
        "cpuEfficiency": cpu_eff,
        "ramEfficiency": 0.5,
        "totalEfficiency": (cpu_eff * 0.6 + 0.5 * 0.4),
    }


class _Handler(BaseHTTPRequestHandler):
    requests: list[str] = []
    status = 200

    def do_GET(self) -> None:  # noqa: N802
        type(self).requests.append(self.path)
        if type(self).status != 200:
            self.send_response(type(self).status)
            self.end_headers()
            return
        body = {
            "code": 200,
            "data": [
                {
                    "resnet": _alloc("resnet", "2026-10-03", 4.0, 0.25),
                    "__idle__": _alloc("__idle__", "2026-10-03", 10.0, 0.0),
                },
                {
                    "resnet": _alloc("resnet", "2026-10-04", 5.0, 0.5),
                    "bert": _alloc("bert", "2026-10-04", 1.5, 0.9),
                },
            ],
        }
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def opencost_url():
    _Handler.requests = []
    _Handler.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_daily_cost_and_efficiency_per_model(opencost_url: str) -> None:
    client = OpenCostClient(opencost_url)
    start, end = datetime(2026, 10, 3, tzinfo=UTC), datetime(2026, 10, 5, tzinfo=UTC)
    df = client.daily(start, end)
    (path,) = _Handler.requests
    query = urllib.parse.parse_qs(urllib.parse.urlparse(path).query)
    assert urllib.parse.urlparse(path).path == "/allocation"
    assert query["window"] == ["2026-10-03T00:00:00Z,2026-10-05T00:00:00Z"]
    assert query["step"] == ["1d"] and query["aggregate"] == ["label:model"]
    rows = {(str(r.day), r.model): r for r in df.itertuples()}
    assert rows[("2026-10-03", "resnet")].cost_usd == 4.0
    assert rows[("2026-10-03", "resnet")].cpu_efficiency == 0.25
    assert rows[("2026-10-03", "(idle)")].cost_usd == 10.0
    assert rows[("2026-10-04", "bert")].total_efficiency == pytest.approx(0.74)
    assert df.groupby("model")["cost_usd"].sum()["resnet"] == 9.0


def test_errors_say_what_went_wrong(opencost_url: str) -> None:
    _Handler.status = 500
    with pytest.raises(OpenCostError, match="HTTP 500"):
        OpenCostClient(opencost_url).daily(
            datetime(2026, 10, 3, tzinfo=UTC), datetime(2026, 10, 4, tzinfo=UTC)
        )
    with pytest.raises(OpenCostError, match="unreachable"):
        OpenCostClient("http://127.0.0.1:9", timeout=2).daily(
            datetime(2026, 10, 3, tzinfo=UTC), datetime(2026, 10, 4, tzinfo=UTC)
        )


def test_cli_report_from_opencost(opencost_url: str, cli_run, monkeypatch) -> None:
    monkeypatch.setenv("BARISTA_OPENCOST_URL", opencost_url)
    res = cli_run(
        *("cost", "report", "--from", "2026-10-03", "--to", "2026-10-05", "--by", "model"),
        *("--source", "opencost", "--format", "json"),
    )
    assert res.exit_code == 0, res.output
    days = {"first_day": "2026-10-03", "last_day": "2026-10-04"}
    assert json.loads(res.stdout) == [
        {**days, "model": "(idle)", "cost_usd": 10.0},
        {**days, "model": "bert", "cost_usd": 1.5},
        {**days, "model": "resnet", "cost_usd": 9.0},
    ]


def test_opencost_overview_has_efficiency_idle_cost_and_an_idle_team(
    opencost_url: str, engine, registry
) -> None:
    from barista_ui.cost.overview import local_period, overview
    from barista_ui.cost.service import CostService
    from barista_ui.cost.usage import fleet_efficiency
    from data.db import session_factory
    from tests.conftest import base_record

    resnet = registry.create(base_record(name="resnet", team="vision"), actor="t", source="cli")
    now = datetime(2026, 10, 5, tzinfo=UTC)
    svc = CostService(session_factory(engine), clock=lambda: now)
    period = local_period("UTC", datetime(2026, 10, 3).date(), datetime(2026, 10, 4).date(), now)
    ov = overview(svc, [resnet], period, source="opencost", opencost=OpenCostClient(opencost_url))
    assert ov.usage == "opencost" and ov.idle_usd == 10.0
    teams = ov.by_day_team.groupby("team")["cost_usd"].sum().to_dict()
    assert teams == {"(idle)": 10.0, "vision": 9.0, "(unallocated)": 1.5}
    eff = ov.models.set_index("model")["efficiency"]
    assert eff["resnet"] == pytest.approx((0.35 + 0.5) / 2 * 100, abs=0.05)  # mean of the days
    assert eff.isna()["(idle)"]  # idle capacity has no efficiency
    assert fleet_efficiency(ov.models) == pytest.approx(
        (9.0 * eff["resnet"] + 1.5 * eff["bert"]) / 10.5
    )
