"""The API's OpenAPI schema says what the operations really answer (drf-spectacular).

`AutoSchema` adds to every operation the error answers it gives, so a client knows them
from /api/schema/ (tests/test_openapi.py calls every operation and checks each answer):

- 401 (`Error`) when the caller must be signed in;
- 403 (`Error`) on writes the role permission refuses (read-only roles);
- 404 (`Error`) on an operation on one record (outside the jurisdiction, or no such record)
  and on a paginated list (a page past the end);
- 400 (`FieldErrors`) on an operation with a request body, and on a list with filters (a
  bad filter value);
- 409 (`FieldErrors`) on a change of a record that carries a `version` (a stale one);
- 415 (`Error`) on an operation with a request body sent in a content type it does not
  read (found by the fuzzing pass, tests/fuzz);
- 429 (`Error`) where a throttle applies.

Operations that refuse otherwise (a workflow step out of turn, a service's refusal)
declare it themselves with `extend_schema(responses={…})`, using `ERROR` and `FIELD_ERRORS`.

It also documents read-only fields of model serializers as the model stores them: a field
of a nullable column may be null and one of a blank-able text column may be "" (DRF drops
both from read-only fields, so the schema said "never null" of a return not yet reviewed).
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import permissions, serializers

from .permissions import StaffRolePermission

# The error bodies, as serializers so they become named components of the schema.
ERROR = inline_serializer(
    "Error",
    fields={"detail": serializers.CharField(help_text="what went wrong, in the user's language")},
)


FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": (
        "Errors by field: each field's messages (non_field_errors: the record's as a whole); "
        "a nested field's errors as an object. A body that cannot be read at all (not JSON, "
        "a wrong content type) answers `detail`, a string saying why."
    ),
    "additionalProperties": {
        # The string: DRF's `detail` on a body it cannot parse (found by tests/fuzz).
        "anyOf": [{"type": "array", "items": {}}, {"type": "object"}, {"type": "string"}],
    },
}
# Declared as `responses={400: FIELD_ERRORS}`; becomes the `FieldErrors` component.
FIELD_ERRORS = OpenApiResponse(
    response=FIELD_ERRORS_SCHEMA, description="The request's errors, field by field."
)

WRITE_METHODS = ("POST", "PUT", "PATCH")

# What each added answer means, as the schema says it.
MEANING = {
    "400": "Errors by field (a bad value, a bad filter).",
    "401": "Not signed in: send a token or a session.",
    "403": "Your role may not do this.",
    "404": "No such record in your jurisdiction (or a page past the end of a list).",
    "409": "Someone else changed the record since the `version` you sent: nothing was saved.",
    "415": "The body's content type is not one the operation reads (JSON, form, multipart).",
    "429": "Too many attempts: wait, then try again.",
}
# The same, for answers an operation declares itself (a 409 there is a workflow's refusal).
DECLARED_MEANING = {
    **MEANING,
    "409": "Refused in the record's present state (a workflow step out of turn): `detail` "
    "says why.",
}


def _model_field(field):
    """The model field a serializer field reads, or None."""
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", "") or ""
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except FieldDoesNotExist:
        return None


class AutoSchema(BaseAutoSchema):
    """drf-spectacular's AutoSchema with the error answers and the read-only fields' null
    and blank values the API really gives."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if field.read_only and (model_field := _model_field(field)) is not None:
            if model_field.null and not field.allow_null:
                field.allow_null = True
            if (
                isinstance(field, serializers.ChoiceField)
                and model_field.blank
                and isinstance(model_field, models.CharField | models.TextField)
            ):
                field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        if isinstance(serializer, OpenApiResponse) and serializer.response is FIELD_ERRORS_SCHEMA:
            component = ResolvedComponent(
                name="FieldErrors",
                type=ResolvedComponent.SCHEMA,
                object="FieldErrors",
                schema=FIELD_ERRORS_SCHEMA,
            )
            self.registry.register_on_missing(component)
            return {
                "description": str(serializer.description),
                "content": {"application/json": {"schema": component.ref}},
            }
        return super()._get_response_for_code(serializer, status_code, media_types, direction)

    def _needs_account(self) -> bool:
        classes = getattr(self.view, "permission_classes", [])
        return bool(getattr(self.view, "authentication_classes", [None])) and not all(
            c is permissions.AllowAny for c in classes
        )

    def _has_filters(self) -> bool:
        return bool(
            getattr(self.view, "filterset_class", None)
            or getattr(self.view, "filterset_fields", None)
            or getattr(self.view, "search_fields", None)  # a search term can be refused
        )

    def _has_version(self) -> bool:
        serializer = self._get_serializer()
        return isinstance(serializer, serializers.Serializer) and "version" in serializer.fields

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        method, one_record = self.method.upper(), "{" in self.path
        listing = method == "GET" and not one_record and self._is_list_view()
        errors = {}
        if self._needs_account():
            errors["401"] = ERROR
            if method in WRITE_METHODS and StaffRolePermission in getattr(
                self.view, "permission_classes", []
            ):
                errors["403"] = ERROR
        if one_record or (listing and self._get_paginator() is not None):
            errors["404"] = ERROR
        if (method in WRITE_METHODS and self.get_request_serializer() is not None) or (
            listing and self._has_filters()
        ):
            errors["400"] = FIELD_ERRORS
        if method in WRITE_METHODS and self.get_request_serializer() is not None:
            errors["415"] = ERROR  # a body in a content type the operation does not read
        if method in ("PUT", "PATCH") and self._has_version():
            errors["409"] = FIELD_ERRORS
        if getattr(self.view, "throttle_classes", None):
            errors["429"] = ERROR
        for code, response in errors.items():
            if code not in responses:
                schema = response.response if isinstance(response, OpenApiResponse) else response
                described = OpenApiResponse(response=schema, description=MEANING[code])
                responses[code] = self._get_response_for_code(described, code)
        for code, response in responses.items():
            if not response.get("description") and code in DECLARED_MEANING:
                response["description"] = DECLARED_MEANING[code]
        return responses
