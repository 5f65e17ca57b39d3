"""Signals the registry sends for changes that bypass model saves (bulk imports), so that
apps above it (statistics) can follow without the registry knowing them."""

from django.dispatch import Signal

# Sent after children were saved in bulk; `area_ids` are the villages they belong to.
children_saved_in_bulk = Signal()
