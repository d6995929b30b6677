"""Thin views: the user's own notifications and how they want them by e-mail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import NotificationFilterForm, PreferenceForm
from .models import Notification


def _filter_form(request, data) -> NotificationFilterForm:
    return NotificationFilterForm(data, kinds=selectors.notification_kinds(request.user))


@login_required
def notification_list(request):
    form = _filter_form(request, request.GET)
    filters = form.filters()
    page = selectors.notification_page(request.user, request.GET.get("page"), filters)
    return render(request, "notifications/list.html", {
        "page": page, "filter_form": form, "filters": filters, "query": urlencode(filters),
    })


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
    """Marks read the ticked notifications, or (scope "matching") all that match the list's filter;
    back to the list as it was filtered."""
    filters = _filter_form(request, request.POST).filters()
    if request.POST.get("scope") == "selected":
        chosen = [pk for pk in request.POST.getlist("ids") if pk.isdigit()]
        notifications = selectors.notifications_of(request.user).filter(pk__in=chosen)
    else:
        notifications = selectors.notifications_matching(request.user, **filters)
    count = services.notifications_mark_read(notifications=notifications)
    messages.success(request, ngettext(
        "%(count)d notification marked read.", "%(count)d notifications marked read.", count,
    ) % {"count": count})
    query = urlencode(filters)
    return redirect(reverse("notifications:list") + (f"?{query}" if query else ""))


@login_required
def notification_settings(request):
    form = PreferenceForm(request.POST or None, instance=selectors.preference_of(request.user))
    if request.method == "POST" and form.is_valid():
        services.preference_set(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form}, status=400 if form.errors else 200)
