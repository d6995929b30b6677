"""What operations watch: health and readiness endpoints, Prometheus metrics, structured logs
(docs/deployment.md)."""
