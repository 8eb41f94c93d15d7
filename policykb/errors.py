"""The error every service module raises for a request the user can fix. Its own module so
that the modules behind `KnowledgeBase` (policykb/documents.py, policykb/library_ingest.py …)
raise it without importing the service that imports them."""
from __future__ import annotations


class KnowledgeBaseError(ValueError):
    """A request the user can fix; `code` is stable for the API, the message is Chinese."""

    def __init__(self, message: str, code: str = "bad_request", status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
