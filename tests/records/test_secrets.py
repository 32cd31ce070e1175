"""Env Secret references in the record format and the manifests; secret-looking values masked."""

from __future__ import annotations

import pytest

from barista_ui.records.errors import RecordInvalid
from barista_ui.records.secrets import (
    MASK,
    is_secret_name,
    mask_changes,
    mask_manifests,
    mask_record,
)
from barista_ui.records.spec import validate_record
from k8s.manifests import config_hash, render
from tests.conftest import base_record

REF = {"secretKeyRef": {"name": "model-secrets", "key": "api-key"}}


def test_secret_reference_validates_renders_value_from_and_round_trips(registry) -> None:
    spec = validate_record(base_record(env={"MODEL_THREADS": "4", "API_KEY": REF}))
    assert spec.env["API_KEY"] == REF
    registry.create(spec, actor="ana", source="cli")
    stored = registry.get("fraud-scorer").to_file_dict()
    assert stored["env"] == {"MODEL_THREADS": "4", "API_KEY": REF}
    container = render(stored, 2)[0]["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "API_KEY", "valueFrom": REF} in container["env"]
    assert {"name": "MODEL_THREADS", "value": "4"} in container["env"]


def test_plain_env_renders_and_hashes_as_before() -> None:
    record = base_record()
    env = render(record, 2)[0]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env[0] == {"name": "MODEL_THREADS", "value": "4"}
    assert config_hash(record) == config_hash(base_record())
    with_ref = base_record(env={"MODEL_THREADS": "4", "API_KEY": REF})
    assert config_hash(with_ref) != config_hash(record)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"secretKeyRef": {"name": "Bad_Name", "key": "k"}}, "not a valid Secret name"),
        ({"secretKeyRef": {"name": "s" * 254, "key": "k"}}, "not a valid Secret name"),
        ({"secretKeyRef": {"name": "ok", "key": "a/b"}}, "not a valid key"),
        ({"secretKeyRef": {"name": "ok", "key": "k" * 254}}, "not a valid key"),
        ({"secretKeyRef": {"name": "ok"}}, "must be text or {secretKeyRef"),
        ({"configMapKeyRef": {"name": "ok", "key": "k"}}, "must be text or {secretKeyRef"),
    ],
)
def test_bad_secret_references_name_the_field(value: dict, words: str) -> None:
    with pytest.raises(RecordInvalid) as exc:
        validate_record(base_record(env={"API_KEY": value}))
    (err,) = exc.value.errors
    assert err.field == "env" and words in err.message


def test_secret_looking_names() -> None:
    looks = ["API_KEY", "openai_api_key", "HF_TOKEN", "TOKENS", "DB_PASSWORD", "client_secret"]
    assert all(is_secret_name(n) for n in looks)
    assert not any(is_secret_name(n) for n in ["MODEL_THREADS", "KEYBOARD", "KEY_ID", "PASS"])


def test_masking_covers_records_diffs_and_manifests() -> None:
    record = base_record(env={"API_KEY": "sk-live-123", "MODEL_THREADS": "4", "DB": REF})
    masked = mask_record(record)
    assert masked["env"] == {"API_KEY": MASK, "MODEL_THREADS": "4", "DB": REF}
    assert record["env"]["API_KEY"] == "sk-live-123"  # a copy
    changes = [
        {"field": "env.API_KEY", "old": "sk-old", "new": "sk-live-123"},
        {"field": "env", "old": {}, "new": {"HF_TOKEN": "hf-1"}},
        {"field": "replicas", "old": 1, "new": 2},
    ]
    assert "sk-" not in str(mask_changes(changes)) and "hf-1" not in str(mask_changes(changes))
    assert mask_changes(changes)[2] == changes[2]
    shown = str(mask_manifests(render(record, 1)))
    assert "sk-live-123" not in shown and MASK in shown
    assert "sk-live-123" in str(render(record, 1))
