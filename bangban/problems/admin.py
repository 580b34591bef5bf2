"""Problems and letters change only through their services (the problem pages, the worker):
the admin shows them."""

from django.contrib import admin

from bangban.core.admin import ViewOnlyAdminMixin
from bangban.problems.models import FeedbackLetter, Problem, ProblemPolicy


@admin.register(ProblemPolicy)
class ProblemPolicyAdmin(admin.ModelAdmin):
    list_display = ("agency", "level_1_days", "level_2_days", "level_3_days", "level_4_days")
    list_select_related = ("agency",)


@admin.register(Problem)
class ProblemAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "title", "case", "department", "level", "state", "due_on")
    list_filter = ("level", "state")
    list_select_related = ("case__project", "department")
    search_fields = ("number", "title", "case__number")


@admin.register(FeedbackLetter)
class FeedbackLetterAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "problem", "addressee", "sent_on")
    list_select_related = ("problem",)
    search_fields = ("number", "addressee")
