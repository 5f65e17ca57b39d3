"""The main menu: a registry of entries that each app declares in its own `menu.py`.

core imports every installed app's `menu` module at start-up (as the admin finds each
`admin.py`); `core/_menu.html` shows the entries visible to the user, in order. An entry
names its page by URL name, so base.html names no app's URLs.

On a phone a long menu is a wall of links: an entry may say for whom it is one of the few
shown at once (`register_short`, e.g. a village director's worklist, roster, round,
activities and reports). A user for whom some entries are short sees those, and the rest
behind a "more" disclosure; a user for whom none is sees every entry, as before.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .routes import cached_reverse


def everyone(user) -> bool:
    """The default visibility rule: every signed-in user sees the entry."""
    return True


def unless(rule: Callable) -> Callable:
    """The users a visibility rule leaves out (e.g. `unless(is_helper)`)."""
    return lambda user: not rule(user)


def on(*names: str) -> Callable[[str], bool]:
    """Active on exactly these pages (URL names with their namespace)."""
    return lambda here: here in names


def in_app(namespace: str) -> Callable[[str], bool]:
    """Active on every page of a URL namespace."""
    prefix = f"{namespace}:"
    return lambda here: here.startswith(prefix)


def naming(fragment: str) -> Callable[[str], bool]:
    """Active on every page whose URL name contains `fragment` (e.g. "person")."""
    return lambda here: fragment in here


@dataclass(frozen=True)
class MenuItem:
    """One entry of the main menu.

    `label` is lazily translated; `url_name` is the page it opens and `args(user)` that URL's
    arguments, if it has any; `visible(user)` says who sees it; `active(here)` whether it is
    highlighted on the page whose URL name is `here`; `order` places it (smaller first).
    """

    label: str
    url_name: str
    order: int
    active: Callable[[str], bool]
    visible: Callable = everyone
    args: Callable | None = None


class Entry(NamedTuple):
    """A menu entry as one user sees it on one page."""

    url: str
    label: str
    active: bool


class Menu(NamedTuple):
    """The menu as one user sees it: the entries shown at once, and those behind "more"
    (empty when the user has no short menu)."""

    short: list[Entry]
    more: list[Entry]

    @property
    def more_active(self) -> bool:
        """The current page is one of the entries behind "more" (its summary is marked)."""
        return any(entry.active for entry in self.more)


_items: list[MenuItem] = []
# (rule, URL name): the entry is one of the few shown at once to the users of the rule.
_short: list[tuple[Callable, str]] = []


def register(*items: MenuItem) -> None:
    """Add entries to the main menu (from an app's `menu.py`; see also `register_for`)."""
    _items.extend(items)
    _items.sort(key=lambda item: item.order)


def items() -> Sequence[MenuItem]:
    """Every registered entry, in order."""
    return tuple(_items)


def _entry(item: MenuItem, user, here: str) -> Entry:
    # Reversed once per process: twenty entries on every page were twenty reverse() calls.
    args = item.args(user) if item.args else ()
    return Entry(
        cached_reverse(item.url_name, *args),
        # The project's own translations, shown unescaped as {% translate %} shows them.
        mark_safe(str(item.label)),
        item.active(here),
    )


def entries_for(user, here: str | None) -> list[Entry]:
    """The entries `user` sees on the page whose URL name is `here` (None off the URLconf)."""
    here = here or ""
    return [_entry(item, user, here) for item in _items if item.visible(user)]


def register_short(rule: Callable, *url_names: str) -> None:
    """The entries (by URL name) shown at once to the users of `rule`, on a phone too; their
    other entries go behind "more" (from an app's `menu.py`, beside its entries)."""
    _short.extend((rule, name) for name in url_names)


def is_primary(item: MenuItem, user) -> bool:
    """The entry is one of the few shown at once to `user`."""
    return any(name == item.url_name and rule(user) for rule, name in _short)


def menu_for(user, here: str | None) -> Menu:
    """The menu `user` sees on the page `here`: the short menu and the rest behind "more"
    when some entries are primary for the user, otherwise every entry at once."""
    here = here or ""
    visible = [item for item in _items if item.visible(user)]
    short = [item for item in visible if is_primary(item, user)]
    if not short:
        return Menu([_entry(item, user, here) for item in visible], [])
    rest = [item for item in visible if not is_primary(item, user)]
    return Menu([_entry(i, user, here) for i in short], [_entry(i, user, here) for i in rest])


# The audit log is core's page; only roles that may browse it see the entry.
register(
    MenuItem(
        _("Audit log"),
        "audit_log",
        order=170,
        visible=lambda user: getattr(user, "can_audit", False),
        active=on("audit_log"),
    )
)


def register_for(visible: Callable, *items: MenuItem) -> None:
    """Add entries that the same users see: `visible` is the rule of every one of them."""
    register(*(replace(item, visible=visible) for item in items))


def has_area(user) -> bool:
    """Accounts bound to an area (those without one see the whole system)."""
    return user.area_id is not None


def all_of(*rules: Callable) -> Callable:
    """The users every one of the rules lets through (checked in order)."""
    return lambda user: all(rule(user) for rule in rules)


def own_area(user) -> list[str]:
    """The URL arguments of a page of the user's own area (with `has_area`)."""
    return [user.area.code]
