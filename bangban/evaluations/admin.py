"""Ratings and rectifications change only through their services (the evaluation pages):
the admin shows them."""

from django.contrib import admin

from bangban.core.admin import ViewOnlyAdminMixin
from bangban.evaluations.models import Evaluation, EvaluationPolicy, Rectification


@admin.register(EvaluationPolicy)
class EvaluationPolicyAdmin(admin.ModelAdmin):
    list_display = ("agency", "rating_window_days", "rectification_days")
    list_select_related = ("agency",)


@admin.register(Evaluation)
class EvaluationAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "item", "company", "rating", "channel", "rated_at")
    list_filter = ("rating", "channel")
    list_select_related = ("case", "item__matter", "company")
    search_fields = ("case__number", "company__name")


@admin.register(Rectification)
class RectificationAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "evaluation", "state", "due_date")
    list_filter = ("state",)
    list_select_related = ("evaluation__case", "evaluation__item__matter")
