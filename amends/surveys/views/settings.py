"""The survey settings page: overseers read it, administrators change it. Thin on policy_update."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from amends.complaints.card_page import form_errors_add

from ..access import access_survey_settings, access_surveys, can_change_survey_settings
from ..forms.questionnaires import SurveyPolicyForm
from ..models.policy import policy
from ..questionnaires import policy_update


@login_required
def settings(request):
    access_surveys(request.user)
    current = policy()
    form = SurveyPolicyForm(instance=current)
    if request.method == "POST":
        access_survey_settings(request.user)
        form = SurveyPolicyForm(request.POST, instance=policy())
        if form.is_valid():
            try:
                policy_update(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(request, _("Survey settings saved."))
                return redirect("surveys:settings")
    return render(request, "surveys/settings/settings.html", {
        "form": form, "policy": current, "editable": can_change_survey_settings(request.user),
    })
