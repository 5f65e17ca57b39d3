"""The user's notifications and their choice of e-mails.

The pages keep the addresses and names they had under care (care:notifications,
care:notification_preferences): care's urls include these, so links, mails already sent and
bookmarks stay good.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.routes import Routes

from . import notify, services
from .forms import PreferenceForm
from .models import Notification

route = Routes()


@route("")
def notifications(request):
    """The user's notifications; POST marks them read."""
    mine = Notification.objects.for_user(request.user)
    if request.method == "POST":
        chosen = request.POST.get("id", "")
        services.mark_read(request.user, int(chosen) if chosen.isdigit() else None)
        return redirect("care:notifications")
    return render(
        request,
        "notifications/notifications.html",
        {
            "items": mine.select_related("child", "child__area")[:200],
            "preference_form": PreferenceForm(instance=notify.preference(request.user)),
        },
    )


@route("preferences/")
def notification_preferences(request):
    """Choose e-mails: urgent notices at once, a daily digest (the in-app list has all)."""
    form = PreferenceForm(request.POST or None, instance=notify.preference(request.user))
    if request.method == "POST" and form.is_valid():
        services.save_preferences(request.user, form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("care:notifications")
    return render(request, "notifications/notification_preferences.html", {"form": form})
