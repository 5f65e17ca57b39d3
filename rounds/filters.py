"""Filters of village returns (django-filter; the API's ?round= and ?state=)."""

import django_filters

from core.filters import ModelIdFilter

from .models import Round, VillageReturn


def visible_rounds(request):
    """The rounds the caller may see: the choices of ?round=."""
    return Round.objects.visible_to(getattr(request, "user", None))


class ReturnFilter(django_filters.FilterSet):
    round = ModelIdFilter(queryset=visible_rounds)

    class Meta:
        model = VillageReturn
        fields = ["round", "state"]
