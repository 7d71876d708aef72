"""The mission's server: an HTTP API core that knows no web framework, its FastAPI
adapter, OGC API - Features, the dashboard, daily reports and alerts."""
