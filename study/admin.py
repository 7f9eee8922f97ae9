from django.contrib import admin

from study.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "type_code", "issuing_body", "issued_on"]
    list_filter = ["type_code", "issuing_body"]
    search_fields = ["number", "title", "title_folded"]
    readonly_fields = ["serial", "type_code", "issuing_body"]
