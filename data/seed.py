"""Demo fleet: about 40 realistic model records over 5 teams, deterministic."""

from __future__ import annotations

import random
from typing import Any

TEAMS: dict[str, dict[str, Any]] = {
    "payments": {
        "owner": "ana@example.com",
        "models": [
            "fraud-scorer",
            "chargeback-predictor",
            "card-risk",
            "merchant-embedder",
            "refund-classifier",
            "aml-graph",
            "payout-anomaly",
            "txn-categorizer",
        ],
    },
    "search": {
        "owner": "li@example.com",
        "models": [
            "query-rewriter",
            "dense-retriever",
            "reranker-large",
            "spell-corrector",
            "autocomplete",
            "query-intent",
            "doc-embedder",
            "ltr-ranker",
        ],
    },
    "recsys": {
        "owner": "marco@example.com",
        "models": [
            "home-feed-ranker",
            "two-tower-retrieval",
            "similar-items",
            "cold-start",
            "session-recs",
            "bandit-explorer",
            "ctr-predictor",
            "cart-recs",
        ],
    },
    "vision": {
        "owner": "priya@example.com",
        "models": [
            "ocr-receipts",
            "image-moderation",
            "product-tagger",
            "face-blur",
            "damage-detector",
            "logo-detector",
            "image-embedder",
            "bg-removal",
        ],
    },
    "nlp": {
        "owner": "sam@example.com",
        "models": [
            "support-summarizer",
            "ticket-router",
            "toxicity-filter",
            "translate-en-de",
            "ner-extractor",
            "sentiment",
            "llm-guardrails",
            "faq-answerer",
        ],
    },
}
GPU_MODELS = {
    "reranker-large": ("nvidia-l4", 1),
    "dense-retriever": ("nvidia-tesla-t4", 1),
    "two-tower-retrieval": ("nvidia-tesla-t4", 1),
    "ocr-receipts": ("nvidia-tesla-t4", 1),
    "image-moderation": ("nvidia-l4", 1),
    "damage-detector": ("nvidia-tesla-t4", 1),
    "image-embedder": ("nvidia-tesla-t4", 1),
    "support-summarizer": ("nvidia-tesla-a100", 1),
    "llm-guardrails": ("nvidia-l4", 1),
    "translate-en-de": ("nvidia-tesla-t4", 1),
}
CPU_LIMIT = {"250m": "500m", "500m": "1", "1": "2", "2": "4", "4": "8"}
TEAM_SCHEDULE_HINT = {"vision": "Mon-Fri 07:00-20:00 Europe/Berlin"}
DESCRIPTIONS = {
    "fraud-scorer": "Scores card transactions for fraud in real time",
    "query-rewriter": "Rewrites search queries before retrieval",
    "home-feed-ranker": "Ranks the home feed for signed-in users",
    "ocr-receipts": "Reads totals and merchants from receipt photos",
    "support-summarizer": "Summarises support tickets for agents",
}


def demo_records(seed: int = 7) -> list[dict[str, Any]]:
    """Records in Barista's file format. A few are staged, disabled or research-only."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for team, info in TEAMS.items():
        for i, model in enumerate(info["models"]):
            gpu_type, gpu_count = GPU_MODELS.get(model, (None, 0))
            namespace = "ml-prod" if i < 5 else ("ml-staging" if i < 7 else "ml-research")
            major, minor, patch = rng.randint(0, 3), rng.randint(0, 12), rng.randint(0, 9)
            version = f"{major}.{minor}.{patch}"
            cpu = (
                rng.choice(["250m", "500m", "1", "2"]) if not gpu_count else rng.choice(["2", "4"])
            )
            mem = rng.choice(["512Mi", "1Gi", "2Gi", "4Gi"]) if not gpu_count else "16Gi"
            replicas = rng.choice([1, 2, 2, 3, 4]) if namespace == "ml-prod" else 1
            autoscale = namespace == "ml-prod" and rng.random() < 0.3
            rec: dict[str, Any] = {
                "name": model,
                "namespace": namespace,
                "team": team,
                "owner": info["owner"],
                "description": DESCRIPTIONS.get(
                    model, f"{model.replace('-', ' ').capitalize()} model"
                ),
                "image": f"registry.example.com/{team}/{model}:{version}",
                "model_uri": f"gs://barista-models/{team}/{model}/{version}",
                "model_version": version,
                "port": 8080,
                "replicas": replicas,
                "resources": {
                    "requests": {"cpu": cpu, "memory": mem},
                    "limits": {"cpu": CPU_LIMIT[cpu], "memory": mem},
                    "gpu": {"count": gpu_count, "type": gpu_type},
                },
                "autoscaling": {
                    "enabled": autoscale,
                    "min": max(1, replicas - 1),
                    "max": replicas + 3,
                    "target_cpu_percent": 70,
                },
                "env": {"MODEL_THREADS": str(rng.choice([1, 2, 4]))},
                "labels": {"tier": "critical" if namespace == "ml-prod" and i < 2 else "standard"},
                "enabled": not (namespace == "ml-research" and i == 7),
            }
            if team in TEAM_SCHEDULE_HINT and namespace != "ml-prod":
                rec["schedule"] = {"uptime": TEAM_SCHEDULE_HINT[team]}
            out.append(rec)
    # One model with an image that cannot be pulled, so the demo shows a failure explained.
    broken = next(r for r in out if r["name"] == "sentiment")
    broken["image"] = broken["image"].rsplit(":", 1)[0] + ":doesnotexist"
    return out
