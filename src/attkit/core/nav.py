"""The navigation and dashboard registry: each app registers its entries, filtered by permission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from attkit.core.permissions import Permission


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    permission: Permission
    description: str | Promise = ""
    order: int = 100
    in_menu: bool = True
    roles_hint: tuple[str, ...] = field(default_factory=tuple)

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _ITEMS[item.key] = item


def items_for(user: object) -> list[NavItem]:
    perms = user.effective_permissions() if hasattr(user, "effective_permissions") else frozenset()
    return sorted((i for i in _ITEMS.values() if i.permission in perms and i.url()), key=lambda i: (i.order, i.key))


@dataclass(frozen=True)
class Notice:
    """A message an app puts on the home page (e.g. the 31 May reporting reminder).

    ``render`` gets the signed-in user and returns the notice's HTML as ``render_to_string`` gives it (a
    SafeString: the template escaped the data), or "" when there is nothing to say; it runs only for users
    holding ``permission``.
    """

    key: str
    permission: Permission
    render: Callable[[object], str]
    order: int = 100


_NOTICES: dict[str, Notice] = {}


def register_notice(notice: Notice) -> None:
    _NOTICES[notice.key] = notice


def notices_for(user: object) -> list[str]:
    """The HTML of every notice the user may see and that has something to say, in order."""
    perms = user.effective_permissions() if hasattr(user, "effective_permissions") else frozenset()
    shown = []
    for notice in sorted(_NOTICES.values(), key=lambda n: (n.order, n.key)):
        if notice.permission in perms:
            html = notice.render(user)
            if html.strip():
                shown.append(html)
    return shown


def register_core_items() -> None:
    register(
        NavItem("home", _("Home"), "core:home", Permission.DASHBOARD_VIEW, _("Your tasks and shortcuts."), order=0)
    )
    register(
        NavItem(
            "audit",
            _("Audit log"),
            "core:audit",
            Permission.AUDIT_VIEW,
            _("Every change recorded in this authority, hash-chained."),
            order=900,
        )
    )
    register(
        NavItem(
            "users",
            _("Users"),
            "accounts:users",
            Permission.USERS_MANAGE,
            _("The officials and applicants of your authority, and their roles."),
            order=920,
        )
    )
    register(
        NavItem(
            "tokens",
            _("API tokens"),
            "accounts:tokens",
            Permission.DASHBOARD_VIEW,
            _("Credentials for machine clients of the API."),
            order=950,
            in_menu=False,
        )
    )
