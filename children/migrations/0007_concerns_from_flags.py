"""Every active child's former "open concern" flag (Child.risk) becomes an open concern, so
that nothing flagged before concerns had a life cycle is lost: source "migrated", finding =
the old text, owner = the village's director when there is exactly one, due date from the
policy; a "report at once" flag becomes the concern's "must be reported"."""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

from children.policy import concerns as concern_policy


def flags_to_concerns(apps, schema_editor):
    Child = apps.get_model("children", "Child")
    Concern = apps.get_model("children", "Concern")
    ConcernEvent = apps.get_model("children", "ConcernEvent")
    User = apps.get_model("people", "User")
    today = timezone.localdate()
    flagged = Child.objects.filter(status="active").filter(Q(risk__gt="") | Q(needs_report=True))
    directors = {}
    for area_id, user_id in User.objects.filter(role="director", is_active=True).values_list(
        "area_id", "pk"
    ):
        directors.setdefault(area_id, []).append(user_id)
    for child in flagged.iterator():
        if Concern.objects.filter(child=child, source="migrated").exists():
            continue  # run twice (e.g. after a failed deploy): one concern per flag
        urgency = concern_policy.URGENCY_URGENT if child.needs_report else "concern"
        owners = directors.get(child.area_id, [])
        finding = child.risk or child.report_reason or "—"
        concern = Concern.objects.create(
            child=child,
            source="migrated",
            finding=finding[:500],
            urgency=urgency,
            safety=child.needs_report,
            owner_id=owners[0] if len(owners) == 1 else None,
            opened_on=today,
            due_on=concern_policy.due_on(urgency, today),
            state=concern_policy.State.OPEN,
            must_report=child.needs_report,
            report_reason=child.report_reason if child.needs_report else "",
        )
        ConcernEvent.objects.create(
            concern=concern, step="open", to_state=concern_policy.State.OPEN, note=finding[:500]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0006_concerns"),
        ("people", "0001_initial"),
    ]

    operations = [migrations.RunPython(flags_to_concerns, migrations.RunPython.noop)]
