"""OpenAPI fragments shared by several apps' API operations (kept apart from attkit.core.api, which imports
the apps' routers)."""

from __future__ import annotations

from typing import Any

# The request body of the verification operations (EUC, licence): seal text as JSON, or a scan or PDF as a file.
VERIFY_REQUEST: dict[str, Any] = {
    "requestBody": {
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
            },
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
        }
    }
}
