"""Hourly rates by hand, the cost estimate CLI, and the editor's cost line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from barista_ui.cli.app import app as cli_app
from barista_ui.cost.rates import PricingError, edit_delta_per_month, hourly_rate, rate_breakdown


def test_rate_by_hand() -> None:
    # 500m CPU, 2 GiB, one T4
    assert hourly_rate("500m", "2Gi", 1, "nvidia-tesla-t4") == pytest.approx(
        0.5 * 0.031611 + 2 * 0.004237 + 0.35
    )
    # memory is priced per GiB (2^30 bytes): 512Mi is half a GiB, 1G is 0.93 GiB
    assert rate_breakdown("1", "512Mi", 0)["memory"] == pytest.approx(0.5 * 0.004237)
    assert rate_breakdown("1", "1G", 0)["memory"] == pytest.approx(1e9 / 2**30 * 0.004237)
    assert rate_breakdown("4", "16Gi", 2, "nvidia-tesla-a100")["gpu"] == pytest.approx(2 * 2.933908)


def test_usage_above_request_is_charged() -> None:
    r = rate_breakdown("1", "1Gi", cpu_usage="1500m", memory_usage="512Mi")
    assert r["cpu"] == pytest.approx(1.5 * 0.031611) and r["memory"] == pytest.approx(0.004237)


def test_unknown_gpu_and_bad_quantities() -> None:
    with pytest.raises(PricingError, match="'nvidia-h200'.*nvidia-l4"):
        hourly_rate("1", "1Gi", 1, "nvidia-h200")
    with pytest.raises(PricingError, match="'2 cores'"):
        hourly_rate("2 cores", "1Gi")


def test_edit_delta() -> None:
    # 2 -> 3 replicas at $0.10/h, up half the week: +1 x 0.10 x 730 x 0.5
    assert edit_delta_per_month(0.10, 2, 0.10, 3, 0.5, 0.5) == pytest.approx(36.5)


def test_cli_estimate_json_and_errors() -> None:
    runner = CliRunner()
    res = runner.invoke(
        cli_app,
        [
            "cost",
            "estimate",
            "--cpu",
            "4",
            "--memory",
            "16Gi",
            "--gpu",
            "1",
            "--gpu-type",
            "nvidia-tesla-t4",
            "--replicas",
            "2",
            "--hours",
            "10",
            "--format",
            "json",
        ],
    )
    data = json.loads(res.stdout)
    hourly = 4 * 0.031611 + 16 * 0.004237 + 0.35
    assert data["hourly_usd"] == pytest.approx(hourly, abs=1e-6)
    assert data["total_usd"] == pytest.approx(hourly * 20, abs=1e-5)
    res = runner.invoke(
        cli_app,
        ["cost", "estimate", "--cpu", "1", "--memory", "1Gi", "--gpu", "1", "--gpu-type", "tpu"],
    )
    assert res.exit_code == 1 and "no price for GPU type 'tpu'" in res.stderr
