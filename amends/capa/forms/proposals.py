from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User


def owner_choices() -> list[tuple[str, str | Promise]]:
    """Everyone who may own a nonconformity (an active employee), read once for all the page's forms."""
    people = User.objects.filter(is_active=True, groups__isnull=False).distinct().order_by(
        "last_name", "first_name", "username",
    )
    return [("", _("Appoint later"))] + [(str(user.pk), str(user)) for user in people]


class AcceptForm(forms.Form):
    title = forms.CharField(label=_("Title of the nonconformity"), max_length=300)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, proposal_id: int, owners: list[tuple[str, str | Promise]], **kwargs):
        kwargs.setdefault("prefix", f"accept-{proposal_id}")
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]

    def clean_owner(self) -> User | None:
        pk = self.cleaned_data["owner"]
        return None if pk is None else User.objects.get(pk=pk)


class DismissForm(forms.Form):
    # Required by the service, which says why; the browser asks first.
    reason = forms.CharField(
        label=_("Why it is dismissed"), required=False, widget=forms.Textarea(attrs={"rows": 2, "required": True}),
    )

    def __init__(self, *args, proposal_id: int, **kwargs):
        kwargs.setdefault("prefix", f"dismiss-{proposal_id}")
        super().__init__(*args, **kwargs)
