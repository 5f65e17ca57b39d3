"""Service functions of the people app: accounts and the responsibility matrix."""

from django.db import transaction

from core.audit import field_changes, log_action
from core.history import assign

from . import tokens
from .models import ResponsibilityPost, User

POST_FIELDS = ["post", "holder_name", "phone"]


def _snapshot(post):
    return {name: getattr(post, name) for name in POST_FIELDS}


def _audited_update(actor, action: str, record, before: dict, snapshot):
    """Audit a saved change as the fields that differ from the state `before`; the record."""
    log_action(actor, action, record, {"changes": field_changes(before, snapshot(record))})
    return record


@transaction.atomic
def update_post(actor, post: ResponsibilityPost, changes: dict) -> ResponsibilityPost:
    """Change who holds a post (blank: vacant) and audit the difference."""
    before = _snapshot(post)
    for name in ("holder_name", "phone"):
        if name in changes:
            setattr(post, name, changes[name].strip())
    post.full_clean()
    post.save()
    return _audited_update(actor, "people.responsibilitypost.updated", post, before, _snapshot)


@transaction.atomic
def add_post(actor, area, post: str, holder_name: str = "", phone: str = "") -> ResponsibilityPost:
    """Add a post to a township's or village's responsibility matrix."""
    record = ResponsibilityPost(
        area=area, post=post, holder_name=holder_name.strip(), phone=phone.strip()
    )
    record.full_clean()
    record.save()
    log_action(actor, "people.responsibilitypost.created", record, {"fields": _snapshot(record)})
    return record


ACCOUNT_FIELDS = ["username", "name", "role", "area", "phone", "is_active"]


def _account_snapshot(user):
    return {
        name: (
            getattr(user, name).code
            if name == "area" and user.area_id
            else getattr(user, name)
            if name != "area"
            else None
        )
        for name in ACCOUNT_FIELDS
    }


@transaction.atomic
def create_account(actor, *, username, password, **fields) -> User:
    """Open an account inside the actor's jurisdiction (the password is never logged)."""
    user = User(username=username, **fields)
    user.set_password(password)
    user.full_clean()
    user.save()
    log_action(actor, "people.user.created", user, {"fields": _account_snapshot(user)})
    return user


def _access(user) -> dict:
    """What an account's API tokens depend on besides its password."""
    return {"role": user.role, "area_id": user.area_id, "is_active": user.is_active}


@transaction.atomic
def update_account(actor, user: User, changes: dict) -> User:
    """Change an account's name, role, area, phone or active state; audited field by field.

    Accounts are never deleted: a person who leaves is deactivated.
    """
    before = _account_snapshot(user)
    access_before = _access(user)
    assign(user, changes, ("name", "role", "area", "phone", "is_active"))
    user.full_clean()
    # Deactivation or a new role or area ends the account's API tokens (before the save,
    # so that the revocations carry the actor; people/signals.py catches other paths).
    reasons = tokens.account_change_reasons(access_before, _access(user))
    if reasons:
        tokens.revoke_all(user, actor, reasons[0])
    user.save()
    return _audited_update(actor, "people.user.updated", user, before, _account_snapshot)


@transaction.atomic
def set_account_password(actor, user: User, password: str) -> None:
    """Set a new password for an account (audited, without the password); its API tokens
    are revoked."""
    tokens.revoke_all(user, actor, tokens.Reason.PASSWORD_RESET)
    user.set_password(password)
    user.save(update_fields=["password"])
    log_action(actor, "people.user.password_set", user)
