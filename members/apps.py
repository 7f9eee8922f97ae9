from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Organisations and members")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415
        from django.db.models.signals import post_delete, post_save  # noqa: PLC0415

        from members.middleware import start_officer_session  # noqa: PLC0415
        from members.models import RoleAssignment  # noqa: PLC0415
        from members.permissions import forget_officer_status  # noqa: PLC0415

        def role_changed(sender, instance, **kwargs):
            forget_officer_status(instance.user_id)

        # Cache invalidation only: a new role above cell level must count at once.
        post_save.connect(
            role_changed, sender=RoleAssignment, weak=False, dispatch_uid="officer-role-saved"
        )
        post_delete.connect(
            role_changed, sender=RoleAssignment, weak=False, dispatch_uid="officer-role-deleted"
        )
        user_logged_in.connect(start_officer_session, dispatch_uid="officer-session-start")
