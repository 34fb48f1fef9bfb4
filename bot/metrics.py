"""Prometheus metrics, all named warta_*, in one registry of our own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

FETCHES = Counter(
    "warta_fetches_total", "Source fetches by outcome", ["outcome"], registry=REGISTRY
)
ITEMS = Counter("warta_items_total", "New feed items seen", registry=REGISTRY)
MATCHES = Counter("warta_matches_total", "Articles matched, by rule", ["rule"], registry=REGISTRY)
ALERTS = Counter("warta_alerts_enqueued_total", "Alerts put in the outbox", registry=REGISTRY)
RETOLD = Counter(
    "warta_alerts_retold_total",
    "Stories folded into a chat's alert of the same story in another language",
    registry=REGISTRY,
)
SENDS = Counter("warta_sends_total", "Telegram sends by outcome", ["outcome"], registry=REGISTRY)
RETRY_AFTERS = Counter("warta_telegram_429_total", "429 answers from Telegram", registry=REGISTRY)
QUEUE_DEPTH = Gauge("warta_outbox_depth", "Messages waiting in the outbox", registry=REGISTRY)
QUEUE_AGE = Gauge(
    "warta_outbox_oldest_age_seconds", "Age of the oldest queued message", registry=REGISTRY
)
TRANSLATIONS = Gauge(
    "warta_translation_requests", "Translation requests made to providers", registry=REGISTRY
)
CACHE_HITS = Gauge("warta_translation_cache_hits", "Translation cache hits", registry=REGISTRY)
CACHE_MISSES = Gauge(
    "warta_translation_cache_misses", "Translation cache misses", registry=REGISTRY
)
STAGE_SECONDS = Histogram(
    "warta_stage_seconds",
    "Time spent per pipeline stage",
    ["stage"],
    buckets=(0.001, 0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
SOURCES = Gauge("warta_sources", "Sources by state", ["state"], registry=REGISTRY)
