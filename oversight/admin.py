from django.contrib import admin

from oversight.models import AssessmentOverride, AssessmentRule


@admin.register(AssessmentRule)
class AssessmentRuleAdmin(admin.ModelAdmin):
    list_display = ["organization", "year", "good_min_full_pct", "pass_min_full_pct", "set_by"]
    list_filter = ["year"]
    search_fields = ["organization__name", "organization__code"]
    raw_id_fields = ["organization", "set_by"]


@admin.register(AssessmentOverride)
class AssessmentOverrideAdmin(admin.ModelAdmin):
    """Judgements are records: read here, made on the cell's list."""

    list_display = ["member", "year", "organization", "before", "level", "by", "at"]
    list_filter = ["year", "level"]
    search_fields = ["member__full_name", "member__party_card_number", "reason"]
    raw_id_fields = ["member", "organization", "by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
