from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from bangban.accounts.models import Agency, Department, Membership, User


class MembershipInlineForUser(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["agency", "role", "department", "staff_number", "title"]
    autocomplete_fields = ["agency", "department"]


class MembershipInlineForAgency(admin.TabularInline):
    model = Membership
    fk_name = "agency"
    extra = 0
    fields = ["user", "role", "department", "staff_number", "title"]
    autocomplete_fields = ["user", "department"]


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0
    fields = ["name", "kind", "phone", "is_active"]
    show_change_link = True


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "phone", "email"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "full_name", "phone", "usable_password", "password1",
                           "password2"],
            },
        ),
    ]
    list_display = ["username", "full_name", "phone", "email", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["username", "full_name", "phone", "email"]
    ordering = ["username"]
    inlines = [MembershipInlineForUser]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "phone"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]
    fields = ["name", "code", "level", "parent", "address", "phone"]
    autocomplete_fields = ["parent"]
    inlines = [DepartmentInline, MembershipInlineForAgency]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "kind", "phone", "is_active"]
    list_filter = ["kind", "is_active", "agency"]
    list_select_related = ["agency"]
    search_fields = ["name", "agency__name"]
    autocomplete_fields = ["agency"]
