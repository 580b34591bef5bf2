"""The working-day calendar in Django's admin, the administrators' tool: edit single days,
import a year's schedule, and see a warning while a schedule is missing. Every change goes
through services.py, so other processes rebuild their calendar and due dates are recomputed."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bangban.deadlines.models import CalendarDay, PublishedYear, WarningPolicy
from bangban.deadlines.schedule_file import ScheduleFileError
from bangban.deadlines.selectors import schedule_warnings
from bangban.deadlines.services import (
    delete_calendar_days,
    delete_published_years,
    describe_import,
    import_schedule,
    save_calendar_day,
    save_published_year,
)

# A year's schedule is a few dozen lines; anything much bigger is the wrong file.
MAX_SCHEDULE_FILE_SIZE = 1024 * 1024


def _warn_about_missing_schedules(request):
    for warning in schedule_warnings():
        messages.warning(request, warning)


class ScheduleImportForm(forms.Form):
    file = forms.FileField(
        label=_("Schedule file (CSV)"),
        help_text=_("UTF-8 CSV with the header date,kind,name; kind is holiday (a day off) or "
                    "workday (a make-up working day); e.g. 2027-02-06,holiday,春节. Each year "
                    "in the file is replaced by the file's days and counts as published."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SCHEDULE_FILE_SIZE:
            raise forms.ValidationError(_("The file is too big for a schedule (at most 1 MB)."))
        return upload


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "scope"]
    list_filter = ["kind", "agency"]
    date_hierarchy = "date"
    search_fields = ["name", "date"]
    autocomplete_fields = ["agency"]
    list_select_related = ["agency"]
    fields = ["date", "kind", "name", "agency"]

    @admin.display(description=_("weekday"))
    def weekday(self, day):
        return dateformat.format(day.date, "l")

    @admin.display(description=_("applies to"), ordering="agency")
    def scope(self, day):
        return day.agency or gettext("National")

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view),
                 name="deadlines_calendarday_import"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            _warn_about_missing_schedules(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        save_calendar_day(day=obj)

    def delete_model(self, request, obj):
        delete_calendar_days(days=[obj])

    def delete_queryset(self, request, queryset):
        delete_calendar_days(days=queryset.select_related("agency"))

    def has_import_permission(self, request):
        opts = self.opts
        return all(
            request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
            for action in ("add", "change", "delete")
        )

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ScheduleImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                summary = import_schedule(content=upload.read(), source=upload.name)
            except ScheduleFileError as exc:
                form.add_error(None, gettext("%(file)s was not imported; nothing changed.")
                               % {"file": upload.name})
                for error in exc.errors:
                    form.add_error("file", error)
            else:
                messages.success(request, describe_import(summary, upload.name))
                return redirect(reverse("admin:deadlines_calendarday_changelist"))
        elif request.method == "GET":
            _warn_about_missing_schedules(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import a year's schedule"),
            "form": form,
        }
        return TemplateResponse(request, "admin/deadlines/calendarday/import.html", context)


@admin.register(PublishedYear)
class PublishedYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "updated_at"]
    fields = ["year", "source"]

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            _warn_about_missing_schedules(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        save_published_year(published=obj)

    def delete_model(self, request, obj):
        delete_published_years(years=[obj])

    def delete_queryset(self, request, queryset):
        delete_published_years(years=queryset)


@admin.register(WarningPolicy)
class WarningPolicyAdmin(admin.ModelAdmin):
    """An agency's warning window; agencies without one use their parent's or the default
    (`BANGBAN_WARNING_DEFAULTS`). The scan applies a change on each item's next check; run
    `manage.py scan_warnings --all` to apply it to every item at once."""

    list_display = ["agency", "days_left", "percent_used"]
    autocomplete_fields = ["agency"]
    list_select_related = ["agency"]
