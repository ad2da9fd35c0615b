"""Admin: watch the outbox and requeue a refused or abandoned message. Nothing is edited here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from keneya.interop.sms import mask_phone
from keneya.notifications.models import OutboxMessage, OutboxStatus
from keneya.notifications.services import requeue_message


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    list_display = [
        "created_at",
        "template",
        "masked_recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel", "template"]
    search_fields = ["=id", "=dedup_key", "=provider_message_id"]
    date_hierarchy = "created_at"
    actions = ["requeue"]

    def get_readonly_fields(self, request: HttpRequest, obj: OutboxMessage | None = None) -> list[str]:
        return [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("destinataire"))
    def masked_recipient(self, obj: OutboxMessage) -> str:
        return mask_phone(obj.recipient)

    @admin.action(description=_("Renvoyer les messages refusés ou abandonnés sélectionnés"))
    def requeue(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        done = 0
        for message in queryset.filter(status__in=[OutboxStatus.FAILED, OutboxStatus.DEAD]):
            try:
                requeue_message(message=message)
                done += 1
            except ValidationError:
                continue
        self.message_user(
            request, _("%(n)d message(s) remis en file d'attente.") % {"n": done}, messages.SUCCESS
        )
