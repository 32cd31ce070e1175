"""Validation of the record format: every bad input names its field and what is allowed."""

from __future__ import annotations

import pytest

from barista_ui.records.diff import diff_records
from barista_ui.records.file_format import FileFormatError, dump_records_yaml, load_records_yaml
from barista_ui.records.spec import RecordInvalid, validate_record
from tests.conftest import base_record


def errors_of(**overrides) -> dict[str, str]:
    with pytest.raises(RecordInvalid) as info:
        validate_record(base_record(**overrides), max_replicas=20)
    return info.value.by_field()


def test_issue_example_is_valid_and_round_trips() -> None:
    spec = validate_record(base_record())
    assert spec.tag() == "1.4.2"
    again = validate_record(load_records_yaml(dump_records_yaml([spec.to_file_dict()]))[0])
    assert again == spec


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"name": "Fraud_Scorer"}, "name", "DNS-1123"),
        ({"name": "a" * 64}, "name", "at most 63"),
        ({"name": "-lead"}, "name", "DNS-1123"),
        ({"namespace": "ML PROD"}, "namespace", "DNS-1123"),
        ({"team": ""}, "team", "required"),
        ({"image": "registry.example.com/fraud-scorer"}, "image", "no tag or digest"),
        ({"image": "Registry/Fraud Scorer:1"}, "image", "not a valid image reference"),
        ({"image": "repo/x@sha256:abc"}, "image", "not a valid image reference"),
        ({"port": 70000}, "port", "65535"),
        ({"replicas": -1}, "replicas", "greater than or equal to 0"),
        ({"replicas": 21}, "replicas", "above the limit of 20"),
        ({"colour": "red"}, "colour", "unknown key"),
        ({"env": {"1BAD": "x"}}, "env", "not a valid variable name"),
        ({"labels": {"team": "x"}}, "labels", "set by Barista"),
        ({"labels": {"tier": "not valid!"}}, "labels", "not a valid label value"),
    ],
)
def test_bad_top_level_fields(overrides, field, fragment) -> None:
    errs = errors_of(**overrides)
    assert field in errs, errs
    assert fragment in errs[field]


@pytest.mark.parametrize(
    ("resources", "field", "fragment"),
    [
        ({"requests": {"cpu": "2 cores", "memory": "1Gi"}}, "resources.requests.cpu", "'2 cores'"),
        ({"requests": {"cpu": "1", "memory": "-1Gi"}}, "resources.requests.memory", "negative"),
        ({"requests": {"cpu": "1", "memory": "lots"}}, "resources.requests.memory", "quantity"),
        ({"requests": {"cpu": "1"}}, "resources.requests.memory", "required"),
        (
            {"requests": {"cpu": "2", "memory": "1Gi"}, "limits": {"cpu": "1"}},
            "resources.limits.cpu",
            "below requests.cpu",
        ),
        (
            {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"memory": "1Gi"}},
            "resources.limits.memory",
            "below requests.memory",
        ),
        (
            {"requests": {"cpu": "1", "memory": "1Gi"}, "gpu": {"count": 1}},
            "resources.gpu.type",
            "required",
        ),
        (
            {"requests": {"cpu": "1", "memory": "1Gi"}, "gpu": {"count": 1, "type": "tpu-v5"}},
            "resources.gpu.type",
            "nvidia-l4",
        ),
        (
            {"requests": {"cpu": "1", "memory": "1Gi", "disk": "1Gi"}},
            "resources.requests.disk",
            "unknown key",
        ),
    ],
)
def test_bad_resources(resources, field, fragment) -> None:
    errs = errors_of(resources=resources)
    assert field in errs, errs
    assert fragment in errs[field]


def test_limits_equal_to_requests_and_milli_cpu_are_fine() -> None:
    spec = validate_record(
        base_record(
            resources={
                "requests": {"cpu": "500m", "memory": "512Mi"},
                "limits": {"cpu": "0.5", "memory": "512Mi"},
            }
        )
    )
    assert spec.resources.limits.cpu == "0.5"


def test_autoscaling_min_above_max() -> None:
    errs = errors_of(autoscaling={"enabled": True, "min": 5, "max": 2, "target_cpu_percent": 70})
    assert errs == {"autoscaling.min": "5 is greater than max (2)"}


def test_autoscaling_max_is_capped() -> None:
    errs = errors_of(autoscaling={"enabled": True, "min": 1, "max": 99})
    assert "above the limit of 20" in errs["autoscaling.max"]


def test_schedule_takes_uptime_or_downtime_not_both() -> None:
    errs = errors_of(schedule={"uptime": "Mon-Fri 08:00-18:00 UTC", "downtime": "never"})
    assert "not both" in errs["schedule"]


def test_env_scalars_become_text() -> None:
    spec = validate_record(base_record(env={"THREADS": 4, "DEBUG": True}))
    assert spec.env == {"THREADS": "4", "DEBUG": "true"}


def test_several_errors_reported_at_once() -> None:
    errs = errors_of(name="Bad", image="nope", replicas=99)
    assert set(errs) == {"name", "image", "replicas"}


def test_yaml_list_and_multi_document() -> None:
    one = dump_records_yaml([base_record()])
    assert len(load_records_yaml(one)) == 1
    listed = "- " + one.replace("\n", "\n  ")
    assert len(load_records_yaml(listed + "\n---\n" + one)) == 2


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("name: [unclosed", "not valid YAML at line 1"), ("", "no records"), ("- 3\n", "got int")],
)
def test_yaml_errors(text, fragment) -> None:
    with pytest.raises(FileFormatError, match=fragment.replace("[", r"\[")):
        load_records_yaml(text)


def test_diff_names_nested_fields() -> None:
    a = validate_record(base_record()).to_file_dict()
    b = validate_record(
        base_record(
            replicas=3,
            env={"MODEL_THREADS": "8"},
            resources={
                "requests": {"cpu": "1", "memory": "4Gi"},
                "limits": {"cpu": "2", "memory": "4Gi"},
            },
        )
    ).to_file_dict()
    changes = {c["field"]: (c["old"], c["new"]) for c in diff_records(a, b)}
    assert changes == {
        "replicas": (2, 3),
        "env.MODEL_THREADS": ("4", "8"),
        "resources.requests.memory": ("2Gi", "4Gi"),
    }
