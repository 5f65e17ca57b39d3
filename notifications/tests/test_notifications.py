import datetime as dt

from django.urls import reverse

from core.models import AuditEntry
from notifications.models import Notification, NotificationPreference
from tests.personas import make_child


def test_the_notifications_keep_the_tables_care_made():
    """Moved from care with their rows: the tables keep their names."""
    assert Notification._meta.db_table == "care_notification"
    assert NotificationPreference._meta.db_table == "care_notificationpreference"


def test_one_notification_is_marked_read_and_audited(client, director, world):
    a = Notification.objects.create(recipient=director, kind="due", day=dt.date.today(), text="a")
    b = Notification.objects.create(
        recipient=director, kind="due", day=dt.date.today(), text="b", child=make_child(world["a1"])
    )
    client.force_login(director)
    client.post(reverse("care:notifications"), {"id": a.pk})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.read and not b.read
    assert AuditEntry.objects.get(action="care.notification.read").data["ids"] == [a.pk]
