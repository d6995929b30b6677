"""The live tone check: a partial for the text being typed, refreshed as the person types."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST

from ..tone import tone_check


@login_required
@require_POST
def tone_check_partial(request):
    """Reads only; POST for the text's length. `field` names the posted field holding the text
    (the include posts its whole form), else the text is in `text`."""
    field = request.POST.get("field") or "text"
    report = tone_check(request.POST.get(field, ""), request.POST.get("language", ""))
    return render(request, "answers/tone/result.html", {"report": report})
