"""The editor's env text: real values round-trip (it edits the record), Secret references as
``KEY=secret:NAME/KEY``, and the hint for secret-looking plain values."""

from __future__ import annotations

from barista_ui.records.secrets import env_text, secret_hint
from components.models.form import kv_text, parse_kv

REF = {"secretKeyRef": {"name": "model-secrets", "key": "api-key"}}


def test_editor_text_round_trips_real_values_and_references() -> None:
    env = {"API_KEY": "sk-live-123", "DB_PASSWORD": REF, "MODEL_THREADS": "4"}
    text = kv_text(env, "env")
    assert "API_KEY=sk-live-123" in text and "DB_PASSWORD=secret:model-secrets/api-key" in text
    assert parse_kv(text, "env") == (env, [])
    assert "sk-live-123" not in env_text(env, mask=True)
    assert "API_KEY" in secret_hint(env) and "secret:" in secret_hint(env)
    assert secret_hint({"DB_PASSWORD": REF}) == ""
    assert parse_kv("A=secret:x", "labels") == ({"A": "secret:x"}, [])
