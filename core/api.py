"""Shared pieces of the REST API: permissions, scoped viewsets, service calls; and the API token
endpoint, audited like the login page, with the same lockout and the same second factor."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.fields import SkipField
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from . import login_limits, two_factor
from .exceptions import NotNow, Stale
from .forms import LOCKED_MESSAGE
from .openapi import ERROR, FIELD_ERRORS
from .serializers import TokenLoginSerializer
from .two_factor import OTP_INVALID, OTP_NOT_ENROLLED, OTP_REQUIRED


def service_errors(exc: ValidationError) -> dict:
    """A service's ValidationError as the API's field errors."""
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for error in errors for m in error.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    """The API's one answer to each refusal (core.exceptions): a stale version 409, a step
    not allowed now 409, broken rules 400 with field errors; the rest as DRF answers them
    (Django's PermissionDenied 403, Http404 404)."""
    if isinstance(exc, Stale):
        return Response({"non_field_errors": [str(exc.message)]}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, NotNow):
        return Response({"detail": str(exc.message)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ValidationError):
        return Response(service_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def service_response(call, serialize, ok_status=status.HTTP_200_OK):
    """Run a service call and answer `serialize(result)` with `ok_status`; its refusals
    reach `exception_handler`."""
    return Response(serialize(call()), status=ok_status)


class ScopedViewSetMixin:
    """Start every API queryset from the model's `visible_to(user)`, with the relations its
    serializer reads joined (`select_related`) or fetched in one more query
    (`prefetch_related`)."""

    scoped_model = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = self.scoped_model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve, inside the caller's jurisdiction (outside: 404)."""


# -- writes through a service (relief, social, concerns) -----------------------------------


class VersionField(serializers.DateTimeField):
    """A record's `version`: its last update time, read only. A change sends it back as the
    version it is based on (core.concurrency)."""

    def __init__(self, **kwargs):
        super().__init__(source="updated_at", read_only=True, **kwargs)


# A serializer whose choices depend on who asks: `limit_choices(user)` narrows them (and may
# drop fields) when there is a request, not when it only serializes a result. No docstring:
# drf-spectacular would take it as the description of every serializer built on it.
class LimitedChoicesMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.limit_choices(request.user)

    def limit_choices(self, user):
        """Narrow the fields' querysets to what `user` may choose."""


# A serializer whose rows are read field by field many times over (a list page of fifty
# children of forty fields): the model's own columns are read straight from the object and
# converted as DRF converts them; every other field (methods, relations, nested serializers,
# properties) goes through DRF's own steps. The answer is the same; DRF's steps per field
# (get_attribute's lookups and checks, the readable-fields generator) were half of the
# children API's time (bench/README.md). No docstring: drf-spectacular would take it as
# the description of every serializer built on it.
class PlainFieldsMixin:
    def to_representation(self, instance):
        ret = {}
        for name, attname, convert, field in self._plain_plan():
            if attname is not None:
                value = getattr(instance, attname)
                ret[name] = None if value is None else convert(value)
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret

    def _plain_plan(self) -> list[tuple]:
        """(name, model attribute or None, converter, field) per readable field, once per
        serializer instance (a list serializes every row with one instance)."""
        plan = self.__dict__.get("_plain_fields")
        if plan is None:
            # A plain Serializer of a model's object (source="*") names it in plain_model.
            model = getattr(self, "plain_model", None) or getattr(
                getattr(self, "Meta", None), "model", None
            )
            plan = [(f.field_name, *_plain_source(model, f), f) for f in self._readable_fields]
            self.__dict__["_plain_fields"] = plan
        return plan


# DRF's fields whose to_representation converts a column's value and nothing else (exact
# classes: a subclass may convert otherwise): str and int as DRF writes them, the rest
# through the field's own to_representation.
_PLAIN_CONVERSIONS = {
    serializers.CharField: lambda field: str,
    serializers.IntegerField: lambda field: int,
    serializers.BigIntegerField: lambda field: field.to_representation,
    serializers.BooleanField: lambda field: field.to_representation,
    serializers.ChoiceField: lambda field: field.to_representation,
    serializers.JSONField: lambda field: field.to_representation,
    serializers.DateField: lambda field: field.to_representation,
}


def _plain_source(model, field) -> tuple:
    """(model attribute, converter) when `field` shows a column of `model` through a plain
    conversion of its value, else (None, None): DRF's own steps."""
    conversion = _PLAIN_CONVERSIONS.get(type(field))
    if model is None or conversion is None or len(field.source_attrs) != 1:
        return None, None
    try:
        column = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None, None
    if not column.concrete or column.is_relation or column.attname != field.source_attrs[0]:
        return None, None
    return column.attname, conversion(field)


class ServiceWriteMixin:
    """A viewset whose writes are service calls: the request's data is checked by the
    serializer, the service does the change, the answer is the serialized result."""

    def create_through(self, call):
        """Answer 201 with what `call(data)` makes of the checked request data (a dict)."""
        serializer = self.get_serializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        return service_response(
            lambda: call(data), lambda made: self.get_serializer(made).data, status.HTTP_201_CREATED
        )

    def update_through(self, record, update, *, partial=True):
        """Answer 200 with what the service `update(actor, record, data, based_on=)` makes of
        `record` from the checked request data and the `version` the client based it on."""
        serializer = self.get_serializer(record, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return service_response(
            lambda: update(
                self.request.user,
                record,
                serializer.validated_data,
                based_on=self.request.data.get("version", ""),
            ),
            lambda changed: self.get_serializer(changed).data,
        )


def issue_token(user, request) -> dict:
    """A new API token for `user` (each device its own, named by its User-Agent), as the
    answer's body. people.ApiToken is found through the app registry (core imports no
    domain app); issuing it writes the audit entry."""
    api_token_model = apps.get_model("people", "ApiToken")
    name = request.headers.get("User-Agent", "")[:60]
    token, key = api_token_model.objects.issue(user, name)
    return {"token": key, "prefix": token.prefix, "expires_at": token.expires_at}


class AuditedObtainAuthToken(GenericAPIView):
    """POST username, password (and `otp_token`), get a new token. A failure is audited by
    the auth signal; a wrong code too, and both count towards the login lockout."""

    permission_classes = [AllowAny]
    serializer_class = TokenLoginSerializer
    # Slows down password guessing; the rate is REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenLoginSerializer,
        responses={
            200: inline_serializer(
                "Token",
                fields={
                    "token": serializers.CharField(help_text="the key, shown this once"),
                    "prefix": serializers.CharField(help_text="the key's first characters"),
                    "expires_at": serializers.DateTimeField(),
                },
            ),
            400: FIELD_ERRORS,
            429: ERROR,
        },
    )
    def post(self, request, *args, **kwargs):
        locked = Response({"detail": str(LOCKED_MESSAGE)}, status=429)
        if login_limits.is_locked(request, str(request.data.get("username", ""))):
            return locked
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # This failure may be the one that locked the pair or the address.
            return (
                locked
                if getattr(request, "axes_locked_out", False)
                else self._invalid(serializer.errors)
            )
        user = serializer.validated_data["user"]
        refused = self.check_second_factor(request, user, serializer.validated_data)
        if refused is not None:
            return refused
        return Response(issue_token(user, request))

    def check_second_factor(self, request, user, data):
        """None when the account passes; else the answer (400, or 429 once locked)."""
        enrolled = two_factor.has_device(user)
        if not enrolled and not getattr(user, "requires_two_factor", False):
            return None  # an optional role that did not enrol
        if not enrolled:
            return self._invalid({"otp_token": [str(OTP_NOT_ENROLLED)]})
        code = data.get("otp_token", "")
        if not code:
            return self._invalid({"otp_token": [str(OTP_REQUIRED)]})
        if two_factor.verify_code(request, user, code) is None:
            if getattr(request, "axes_locked_out", False):
                return Response({"detail": str(LOCKED_MESSAGE)}, status=429)
            return self._invalid({"otp_token": [str(OTP_INVALID)]})
        return None

    @staticmethod
    def _invalid(errors):
        return Response(errors, status=400)
