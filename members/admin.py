from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from members.models import (
    AuditEntry,
    MemberImport,
    Membership,
    Notice,
    Organization,
    QueuedTask,
    RoleAssignment,
    User,
)
from members.permissions import sensitive


@admin.register(Organization)
class OrganizationAdmin(TreeAdmin):
    form = movenodeform_factory(Organization)
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "name_folded", "code"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["organization"]


class SensitiveChangesAdmin(admin.ModelAdmin):
    """Changes here hand out access (roles, staff status, passwords): the password is asked
    again when it was last given too long ago."""

    @method_decorator(sensitive)
    def changeform_view(self, request, *args, **kwargs):
        return super().changeform_view(request, *args, **kwargs)

    @method_decorator(sensitive)
    def delete_view(self, request, *args, **kwargs):
        return super().delete_view(request, *args, **kwargs)

    @method_decorator(sensitive)
    def changelist_view(self, request, *args, **kwargs):
        return super().changelist_view(request, *args, **kwargs)


@admin.register(User)
class UserAdmin(SensitiveChangesAdmin, DjangoUserAdmin):
    @method_decorator(sensitive)
    def user_change_password(self, request, *args, **kwargs):
        return super().user_change_password(request, *args, **kwargs)

    ordering = ["full_name_folded"]
    list_display = ["full_name", "party_card_number", "email", "phone", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["full_name", "full_name_folded", "party_card_number", "email", "phone"]
    inlines = [MembershipInline, RoleAssignmentInline]
    fieldsets = [
        (None, {"fields": ["full_name", "party_card_number", "email", "phone", "password"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["full_name", "party_card_number", "email", "password1", "password2"]}),
    ]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "started_on", "ended_on"]
    list_select_related = ["user", "organization"]
    search_fields = [
        "user__full_name",
        "user__party_card_number",
        "organization__name",
        "organization__code",
    ]
    autocomplete_fields = ["user", "organization"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SensitiveChangesAdmin):
    list_display = ["user", "role", "organization", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__full_name", "user__email", "organization__name", "organization__code"]
    autocomplete_fields = ["user", "organization"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor"]
    search_fields = ["action", "object_type", "object_id", "actor__full_name"]

    # The record of who changed what is kept whole: nobody edits or deletes it here.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MemberImport)
class MemberImportAdmin(admin.ModelAdmin):
    list_display = ["original_name", "uploaded_by", "status", "row_count", "uploaded_at"]
    list_filter = ["status"]
    list_select_related = ["uploaded_by"]
    search_fields = ["original_name", "uploaded_by__full_name"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at"]
    list_select_related = ["user"]
    search_fields = ["title", "user__full_name", "user__party_card_number"]


@admin.register(QueuedTask)
class QueuedTaskAdmin(admin.ModelAdmin):
    """Tasks kept while the broker was down; they leave by themselves once sent."""

    list_display = ["queued_at", "name", "attempts", "last_error"]
    search_fields = ["name", "last_error"]
    readonly_fields = ["name", "arguments", "queued_at", "attempts", "last_error"]

    def has_add_permission(self, request) -> bool:
        return False
