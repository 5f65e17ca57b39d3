"""The user's notifications and their choice of e-mails.

The pages keep the addresses and names they had under care (care:notifications,
care:notification_preferences): care's urls include these, so links, mails already sent and
bookmarks stay good.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.audit import log_action

from . import notify
from .forms import PreferenceForm
from .models import Notification


@login_required
def notifications(request):
    """The user's notifications; POST marks them read."""
    mine = Notification.objects.for_user(request.user)
    if request.method == "POST":
        chosen = mine.filter(read=False)
        if request.POST.get("id", "").isdigit():
            chosen = chosen.filter(pk=int(request.POST["id"]))
        ids = list(chosen.values_list("pk", flat=True))
        chosen.update(read=True)
        log_action(request.user, "care.notification.read", None, {"ids": ids})
        return redirect("care:notifications")
    return render(
        request,
        "notifications/notifications.html",
        {
            "items": mine.select_related("child", "child__area")[:200],
            "preference_form": PreferenceForm(instance=notify.preference(request.user)),
        },
    )


@login_required
def notification_preferences(request):
    """Choose e-mails: urgent notices at once, a daily digest (the in-app list has all)."""
    form = PreferenceForm(request.POST or None, instance=notify.preference(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        log_action(request.user, "care.notification.preferences", None, form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("care:notifications")
    return render(request, "notifications/notification_preferences.html", {"form": form})
