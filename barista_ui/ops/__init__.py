"""Operating Barista: health answers, Prometheus metrics, structured logs, the change
notifier between replicas."""
