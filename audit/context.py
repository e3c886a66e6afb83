"""The current request's id, so services can stamp audit events without being handed a request."""

import contextvars

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_request_id", default=""
)
