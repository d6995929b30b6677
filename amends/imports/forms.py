"""The upload screen's forms: the file, the encoding it is read in, and the column of each card field."""

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from amends.core.forms import ListedChoiceField

from .mapping import FIELDS
from .models import ImportMapping

EXTENSIONS = (".csv", ".tsv", ".txt", ".gz", ".xlsx", ".xlsm")  # .gz: a compressed CSV (.csv.gz)
# Codec names as reading.table_open reports them; the journals of Russian and Armenian offices.
ENCODINGS = [("utf_8", "UTF-8"), ("cp1251", "Windows-1251"), ("koi8_r", "KOI8-R"), ("cp866", "CP866 (DOS)")]
FIELD_PREFIX = "field_"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Journal file"), help_text=_("CSV or XLSX, with the column names in its first row."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError(_("Choose a CSV or XLSX file (.csv, .xlsx)."))
        return upload


class EncodingForm(forms.Form):
    """Read a CSV file again in another encoding, when the detected one shows garbled headers."""

    encoding = forms.ChoiceField(label=_("Read the file as"), choices=ENCODINGS)


class SavedMappingForm(forms.Form):
    mapping = ListedChoiceField(label=_("Saved mapping"), queryset=ImportMapping.objects.all(),
                                     empty_label=_("Choose a saved mapping"))


class MappingForm(forms.Form):
    """One choice of the file's column per card field (mapping.FIELDS), the source the rows are counted
    under, and a name to save the mapping for the next file."""

    source = forms.CharField(
        label=_("Source"), max_length=100,
        help_text=_("Rows already imported from a source are skipped: give every file of one journal the same "
                    "source."),
    )
    save_as = forms.CharField(
        label=_("Save this mapping as"), max_length=100, required=False,
        help_text=_("A name to choose it again for the next file; a mapping of that name is replaced."),
    )

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not imported —")), *((column, column) for column in columns)]
        for field in FIELDS:
            self.fields[FIELD_PREFIX + field.key] = forms.ChoiceField(label=str(field.label), choices=choices,
                                                                      required=field.required)

    def field_rows(self) -> list[forms.BoundField]:
        return [self[FIELD_PREFIX + field.key] for field in FIELDS]

    def mapping(self) -> dict[str, str]:
        """{card field key: column} of the fields given a column."""
        return {field.key: self.cleaned_data[FIELD_PREFIX + field.key] for field in FIELDS
                if self.cleaned_data.get(FIELD_PREFIX + field.key)}

    @staticmethod
    def initial_of(mapping: dict[str, str], source: str) -> dict[str, str]:
        return {"source": source, **{FIELD_PREFIX + key: column for key, column in mapping.items()}}
