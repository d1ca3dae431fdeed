"""OpenAPI documentation for routes that parse their own input.

Routes read the raw body and query string (so errors follow API.md's precedence and name the
field); these helpers document the same inputs from msgspec Structs, for /schema and fuzzers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, OpenAPIMediaType, Operation, Parameter, RequestBody
from litestar.openapi.spec import OpenAPIResponse

from service.api.schemas import Envelope

REF = "#/components/schemas/{name}"
_components: dict[str, Any] = {}


def _schema_of(kind: Any) -> dict[str, Any]:
    (schema,), components = msgspec.json.schema_components([kind], ref_template=REF)
    _components.update(components)
    return schema


def documented(*, body: Any = None, query: type[msgspec.Struct] | None = None) -> type[Operation]:
    """An Operation class describing a JSON body and query parameters from Structs.

    Every error, whatever its status, is the envelope: documented as the `default` response.
    """
    body_schema = _schema_of(body) if body is not None else None
    params: list[Parameter] = []
    if query is not None:
        _schema_of(query)
        component = _components[query.__name__]
        properties, required = component["properties"], set(component.get("required", ()))
        params = [Parameter(name=name, param_in="query", schema=prop, required=name in required)
                  for name, prop in properties.items()]
    error_schema = _schema_of(Envelope)

    @dataclass
    class DocumentedOperation(Operation):
        def __post_init__(self) -> None:
            if body_schema is not None:
                self.request_body = RequestBody(
                    content={"application/json": OpenAPIMediaType(schema=body_schema)}, required=True)
            if params:
                self.parameters = [*(self.parameters or []), *params]
            self.responses["default"] = OpenAPIResponse(
                description="an error, in the envelope (`code` names the cause, `message` the field)",
                content={"application/json": OpenAPIMediaType(schema=error_schema)})

    return DocumentedOperation


def openapi_config() -> OpenAPIConfig:
    """The schema at /schema/openapi.json and its docs page under /schema."""
    return OpenAPIConfig(
        title="droidledger Local API",
        version="1.0.0",
        description="The TikMatrix Local API, event-sourced. Every response is {code, message, data}.",
        path="/schema",
        components=Components(schemas=_components),  # type: ignore[arg-type]
        use_handler_docstrings=True,
    )
