"""HTTP API (FastAPI): JSON endpoints, OpenAPI at /docs, and the Chinese web page at /."""
