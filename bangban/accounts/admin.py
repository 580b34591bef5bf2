from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bangban.accounts import services
from bangban.accounts.models import Agency, Department, Membership, OIDCIdentity, User


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
    actions = ["unlock_login", "reset_one_time_codes"]

    @admin.action(description=_("Lift the login lockout of the selected users"))
    def unlock_login(self, request, queryset):
        for user in queryset:
            services.unlock_login(username=user.username, by=request.user)
        self.message_user(request, ngettext(
            "The login lockout of %(count)d user was lifted.",
            "The login lockout of %(count)d users was lifted.", len(queryset),
        ) % {"count": len(queryset)}, messages.SUCCESS)

    @admin.action(description=_("Reset the one-time code app of the selected users"))
    def reset_one_time_codes(self, request, queryset):
        for user in queryset:
            services.totp_reset(user=user, by=request.user)
        self.message_user(request, ngettext(
            "The one-time code app of %(count)d user was reset.",
            "The one-time code apps of %(count)d users were reset.", len(queryset),
        ) % {"count": len(queryset)}, messages.SUCCESS)


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


@admin.register(OIDCIdentity)
class OIDCIdentityAdmin(admin.ModelAdmin):
    """Read-only links made by single sign-on; deleting one lets the account be matched anew by
    the claim at its next single sign-on (after the platform reassigned an identity)."""

    list_display = ["user", "subject", "issuer", "created_at", "last_login_at"]
    list_select_related = ["user"]
    search_fields = ["subject", "user__username", "user__full_name"]
    readonly_fields = ["user", "issuer", "subject", "created_at", "last_login_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
