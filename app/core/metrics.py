"""Prometheus metrics, defined once per process.

No metric is labelled by organisation: the scrape endpoint must not list tenants or their
volumes (and per-tenant labels would grow without bound).
"""

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "followthrough_http_requests_total", "HTTP requests", ["method", "route", "status"]
)
LATENCY = Histogram(
    "followthrough_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_INGESTED = Counter("followthrough_events_ingested_total", "Events stored (new, not replays)")
RATE_LIMITED = Counter(
    "followthrough_rate_limited_total", "Requests refused by a rate limit", ["limit"]
)
