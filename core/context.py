"""Per-request context (client address) for the audit log, set by middleware."""

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)
