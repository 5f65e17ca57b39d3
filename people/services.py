"""Service functions of the people app: changes to the responsibility matrix."""

from django.db import transaction

from core.audit import field_changes, log_action

from .models import ResponsibilityPost

POST_FIELDS = ["post", "holder_name", "phone"]


def _snapshot(post):
    return {name: getattr(post, name) for name in POST_FIELDS}


@transaction.atomic
def update_post(actor, post: ResponsibilityPost, changes: dict) -> ResponsibilityPost:
    """Change who holds a post (blank: vacant) and audit the difference."""
    before = _snapshot(post)
    for name in ("holder_name", "phone"):
        if name in changes:
            setattr(post, name, changes[name].strip())
    post.full_clean()
    post.save()
    log_action(
        actor,
        "people.responsibilitypost.updated",
        post,
        {"changes": field_changes(before, _snapshot(post))},
    )
    return post


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
