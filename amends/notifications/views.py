"""Thin views: the user's own notifications and how they want them by e-mail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import PreferenceForm
from .models import Notification


@login_required
def notification_list(request):
    page = selectors.notification_page(request.user, request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def notification_open(request, pk: int):
    """Marks the notification read and goes to its card (or back to the list)."""
    try:
        notification = selectors.notification_get(request.user, pk)
    except Notification.DoesNotExist:
        raise Http404(_("No such notification")) from None
    services.notification_mark_read(notification=notification)
    if notification.complaint is None:
        return redirect("notifications:list")
    return redirect("complaints:detail", number=notification.complaint.number)


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    return redirect("notifications:list")


@login_required
def notification_settings(request):
    form = PreferenceForm(request.POST or None, instance=selectors.preference_of(request.user))
    if request.method == "POST" and form.is_valid():
        services.preference_set(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form}, status=400 if form.errors else 200)
