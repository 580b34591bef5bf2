from django import forms
from django.utils.translation import gettext_lazy as _

from bangban.core.forms import BootstrapMixin
from bangban.documents.services import ALLOWED_DESCRIPTION, ARCHIVE_UPLOAD_KINDS


class ArchiveUploadForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"),
                             choices=[(k.value, k.label) for k in ARCHIVE_UPLOAD_KINDS])
    title = forms.CharField(label=_("title"), max_length=200, required=False,
                            help_text=_("A new upload under the same title is a new version; "
                                        "empty means the file's name."))
    item = forms.ModelChoiceField(label=_("item"), queryset=None, required=False,
                                  empty_label=_("The whole case"))
    file = forms.FileField(label=_("file"),
                           help_text=_("Accepted: %(types)s.") % {"types": ALLOWED_DESCRIPTION})

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = case.items.select_related("matter").order_by("pk")
        self.fields["item"].label_from_instance = lambda item: item.matter.name

    def service_kwargs(self):
        return dict(self.cleaned_data)
