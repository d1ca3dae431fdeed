"""The OpenAPI schema at /schema/openapi.json: readable names, every response typed.

Routes read the raw body and query string themselves (so that errors follow the API's
precedence and name the field); `documented` describes the same inputs from msgspec Structs.
Operation ids are the route functions' names (`create_tasks`, `get_task`, ...). Components
keep their Struct names (`CreateTaskBody`, `TaskList`, `ErrorEnvelope`); a success answer is
`<Data>Envelope`. Litestar builds the schema's components itself, so ours are added, and its
names for the generic envelope replaced, when the JSON is rendered (`OpenAPIJson`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Parameter,
    Reference,
    RequestBody,
    Schema,
)

from service.api.schemas import ErrorEnvelope

COMPONENT = "#/components/schemas/{name}"
ERRORS = (
    "Errors answer HTTP 200 with the code in the body, as the vendor's clients expect; a server started "
    "with --rest-status answers them with the code's first three digits as the HTTP status instead."
)
_ours: dict[str, Any] = {}  # component name -> Struct, for every type `documented` refers to
_LITESTAR_ENVELOPE = re.compile(r"^Envelope_[\w.]*?\.(\w+)_$")  # Litestar's name for Envelope[TaskList]


def _component(kind: type) -> Reference:
    """A reference to a component of ours, added to the schema when it is rendered."""
    _ours[kind.__name__] = kind
    return Reference(ref=COMPONENT.format(name=kind.__name__))


def _inline(kind: Any) -> dict[str, Any]:
    """The self-contained JSON schema of a type that is not a Struct (a query's fields, a free dict)."""
    (schema,), defs = msgspec.json.schema_components([kind], ref_template="#/$defs/{name}")
    return _resolve(schema, defs)


def _resolve(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with every `#/$defs/` reference replaced by its definition (ours are not recursive)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _resolve(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _resolve(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(value, defs) for value in node]
    return node


def documented(
    *, body: Any = None, query: type[msgspec.Struct] | None = None, files: Sequence[str] = ()
) -> type[Operation]:
    """An Operation class describing a JSON body and query parameters from Structs, the error
    envelope as every other answer, and for a download the media types of its files (list
    application/octet-stream first: generated clients then read any of them as bytes)."""
    body_schema = (
        _component(body)
        if isinstance(body, type) and issubclass(body, msgspec.Struct)
        else (_inline(body) if body is not None else None)
    )
    params: list[Parameter] = []
    if query is not None:
        component = _inline(query)
        required = set(component.get("required", ()))
        params = [
            Parameter(name=name, param_in="query", schema=prop, required=name in required)
            for name, prop in component["properties"].items()
        ]
    error = _component(ErrorEnvelope)

    @dataclass
    class DocumentedOperation(Operation):
        def __post_init__(self) -> None:
            if body_schema is not None:
                self.request_body = RequestBody(
                    content={"application/json": OpenAPIMediaType(schema=body_schema)}, required=True
                )
            if params:
                self.parameters = [*(self.parameters or []), *params]
            # Litestar's own 400 (its validation error) never reaches a client: our envelope does.
            self.responses.pop("400", None)
            if files:
                binary = Schema(type="string", format="binary")  # type: ignore[arg-type]
                self.responses["200"] = OpenAPIResponse(
                    description="the file itself", content={kind: OpenAPIMediaType(schema=binary) for kind in files}
                )
            self.responses["default"] = OpenAPIResponse(
                description="an error, in the envelope (`code` names the cause, `message` the field). " + ERRORS,
                content={"application/json": OpenAPIMediaType(schema=error)},
            )

    return DocumentedOperation


def finish_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Our components added, Litestar's `Envelope_service.api.schemas.TaskList_` named `TaskListEnvelope`."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    renamed = {}
    for name in list(components):
        match = _LITESTAR_ENVELOPE.match(name)
        if match:
            readable = f"{match.group(1)}Envelope"
            renamed[COMPONENT.format(name=name)] = COMPONENT.format(name=readable)
            components[readable] = {**components.pop(name), "title": readable}
    _, ours = msgspec.json.schema_components(list(_ours.values()), ref_template=COMPONENT)
    components.update(ours)
    return _replace_refs(schema, renamed)


def _replace_refs(node: Any, renamed: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            key: renamed.get(value, value) if key == "$ref" else _replace_refs(value, renamed)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_replace_refs(value, renamed) for value in node]
    return node


class OpenAPIJson(JsonRenderPlugin):
    """/schema/openapi.json, finished once (`finish_schema`)."""

    def __init__(self) -> None:
        super().__init__()
        self._finished: dict[str, Any] | None = None

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        if self._finished is None:
            self._finished = finish_schema(openapi_schema)
        return super().render(request, self._finished)


def _operation_id(route_handler: Any, _method: Any, _path: Any) -> str:
    """The route function's name: `create_tasks`, `get_task`, ..."""
    return route_handler.handler_name


def openapi_config() -> OpenAPIConfig:
    """The schema at /schema/openapi.json and its docs page at /schema."""
    return OpenAPIConfig(
        title="droidledger Local API",
        version="1.0.0",
        description="The TikMatrix Local API, event-sourced. Every response is {code, message, data}. " + ERRORS,
        path="/schema",
        use_handler_docstrings=True,
        operation_id_creator=_operation_id,
        render_plugins=[OpenAPIJson(), SwaggerRenderPlugin(path="/")],
    )
