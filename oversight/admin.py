from django.contrib import admin

from oversight.models import (
    AssessmentOverride,
    AssessmentRule,
    FollowUp,
    Inspection,
    InspectionRound,
    SampleAdjustment,
    WarningCrossing,
    WarningRule,
)


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


# --- thematic inspection ------------------------------------------------------------------------


class _RecordAdmin(admin.ModelAdmin):
    """Records of a draw and of its changes: read here, made on the board's pages."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InspectionRound)
class InspectionRoundAdmin(_RecordAdmin):
    list_display = ["organization", "first", "last", "percentage", "size", "seed", "created_by"]
    list_filter = ["level_below"]
    search_fields = ["organization__name", "organization__code"]
    list_select_related = ["organization", "created_by"]
    raw_id_fields = ["organization", "created_by"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["organization", "round", "drawn", "in_sample", "status", "updated_by"]
    list_filter = ["status", "drawn", "in_sample"]
    search_fields = ["organization__name", "organization__code", "findings", "recommendations"]
    list_select_related = ["organization", "round__organization", "updated_by"]
    raw_id_fields = ["round", "organization", "updated_by"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SampleAdjustment)
class SampleAdjustmentAdmin(_RecordAdmin):
    list_display = ["round", "action", "organization", "by", "at"]
    list_filter = ["action"]
    search_fields = ["organization__name", "organization__code", "reason"]
    list_select_related = ["round__organization", "organization", "by"]
    raw_id_fields = ["round", "organization", "by"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["inspection", "deadline", "done_on", "created_by"]
    list_filter = ["deadline", "done_on"]
    search_fields = ["action", "inspection__organization__name", "inspection__organization__code"]
    list_select_related = ["inspection__organization", "inspection__round__organization"]
    raw_id_fields = ["inspection", "created_by", "done_by"]

    def has_delete_permission(self, request, obj=None):
        return False


# --- early warnings -----------------------------------------------------------------------------


@admin.register(WarningRule)
class WarningRuleAdmin(admin.ModelAdmin):
    list_display = ["organization", "year", "unexcused", "missing", "set_by", "set_at"]
    list_filter = ["year"]
    search_fields = ["organization__name", "organization__code"]
    list_select_related = ["organization", "set_by"]
    raw_id_fields = ["organization", "set_by"]


@admin.register(WarningCrossing)
class WarningCrossingAdmin(_RecordAdmin):
    """Who was told what, when: recorded by the daily run (oversight.warnings)."""

    list_display = ["member", "organization", "year", "kind", "count", "crossed_at", "cleared_at"]
    list_filter = ["year", "kind"]
    search_fields = ["member__full_name", "member__party_card_number", "organization__name"]
    list_select_related = ["member", "organization"]
    raw_id_fields = ["member", "organization"]
