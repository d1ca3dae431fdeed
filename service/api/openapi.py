"""OpenAPI documentation for routes that parse their own input.

Routes read the raw body and query string (so errors follow API.md's precedence and name the
field); these helpers document the same inputs from msgspec Structs, for /schema and fuzzers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPIMediaType, Operation, Parameter, RequestBody
from litestar.openapi.spec import OpenAPIResponse

from service.api.schemas import Envelope

REF = "#/$defs/{name}"


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with every reference replaced by its definition (our Structs are not recursive)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inline(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value, defs) for value in node]
    return node


def _schema_of(kind: Any) -> dict[str, Any]:
    """A self-contained JSON schema of a type: Litestar replaces components/schemas with the
    ones it generates itself, so a reference to a component of ours would dangle."""
    (schema,), defs = msgspec.json.schema_components([kind], ref_template=REF)
    return _inline(schema, defs)


def documented(*, body: Any = None, query: type[msgspec.Struct] | None = None) -> type[Operation]:
    """An Operation class describing a JSON body and query parameters from Structs.

    Every error, whatever its status, is the envelope: documented as the `default` response.
    """
    body_schema = _schema_of(body) if body is not None else None
    params: list[Parameter] = []
    if query is not None:
        component = _schema_of(query)
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
        use_handler_docstrings=True,
    )
