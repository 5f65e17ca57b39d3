"""Signals the registry sends for changes that bypass model saves (bulk imports), so that
apps above it (statistics) can follow without the registry knowing them."""

from django.dispatch import Signal

# Sent after children were saved in bulk; `area_ids` are the villages they belong to.
children_saved_in_bulk = Signal()

# Sent when a child is proposed for a handover to another county (`transfer`, pending;
# `actor`): the register's housekeeping (registry) tells the receiving county's officers.
handover_proposed = Signal()

# Sent when a recorded change ends a child's being an orphan or de facto unsupported (`lost`:
# a set of "orphan", "fuc"; `child`, `actor`): the benefits granted for it must stop (the
# applications app opens the stop).
categories_lost = Signal()
