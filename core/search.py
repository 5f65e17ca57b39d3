"""The API's search filter (kept apart from viewsets: DRF imports it at settings time)."""

from rest_framework import filters, serializers


class SearchFilter(filters.SearchFilter):
    """DRF's search, for the API's lists. A list without search fields ignores `search`
    (DRF checked the term first and refused a NUL character with 400, on lists whose
    schema declares no 400); a refused term is a field error of `search`, as the schema's
    FieldErrors says (DRF answered a bare list). Both found by tests/fuzz."""

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({self.search_param: exc.detail}) from exc

    def filter_queryset(self, request, queryset, view):
        if not self.get_search_fields(view, request):
            return queryset
        return super().filter_queryset(request, queryset, view)
