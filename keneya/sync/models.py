"""Offline sync between the CHW tablets and the server (docs/sync.md).

- ``Device``: a tablet, registered by its CHW; it authenticates with a token of which only the
  hash is stored. A supervisor revokes it (lost or stolen tablet).
- ``ChangeLog``: one row per change a tablet should receive, addressed to a CHW. ``seq`` is the
  pull cursor, and the latest ``seq`` of an object is its ``version``.
- ``FieldClock``: when each field of a household or person last changed (device time), by which
  device, at which ``seq``: what field-level last-writer-wins compares.
- ``SyncConflict``: two devices (or a device and the web) changed the same field since the
  version the second one started from; both values are kept for the supervisor. A person
  deleted on a tablet is also a ``SyncConflict`` (field ``_delete``): the registry never drops a
  person, a supervisor decides.
- ``PushBatch``: the results of a batch, returned again when the same batch comes back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeOp(models.TextChoices):
    UPSERT = "upsert", _("Création ou modification")
    DELETE = "delete", _("Suppression (pierre tombale)")


class Device(models.Model):
    # The tablet generates its id (UUID) at installation.
    id = models.UUIDField(primary_key=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="devices", verbose_name=_("relais")
    )
    name = models.CharField(_("nom"), max_length=80, blank=True)
    # SHA-256 of the token: the token is shown once, at registration.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("vue le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("révoquée par"),
    )

    class Meta:
        verbose_name = _("tablette")
        verbose_name_plural = _("tablettes")
        ordering = ["user", "created_at"]

    def __str__(self) -> str:
        return self.name or str(self.id)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ChangeLog(models.Model):
    seq = models.BigAutoField(primary_key=True)
    # Whose tablet receives the change; null when the household has no CHW (the row still
    # versions the object).
    # Served by the (chw, seq) index of Meta (one index fewer to update per change).
    chw = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    type = models.CharField(max_length=12)  # a SYNC_TYPES name (keneya.sync.registry)
    object_id = models.UUIDField()
    op = models.CharField(max_length=6, choices=ChangeOp.choices, default=ChangeOp.UPSERT)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("changement à synchroniser")
        verbose_name_plural = _("changements à synchroniser")
        indexes = [
            models.Index(fields=["chw", "seq"], name="sync_changelog_pull_idx"),
            models.Index(fields=["type", "object_id", "seq"], name="sync_changelog_version_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.op} {self.type} {self.object_id}"


class FieldClock(models.Model):
    type = models.CharField(max_length=12)  # a SYNC_TYPES name (keneya.sync.registry)
    object_id = models.UUIDField()
    field = models.CharField(max_length=40)
    # When the value was set: the device's clock for a tablet edit, the server's for the web.
    changed_at = models.DateTimeField()
    device = models.ForeignKey(Device, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    seq = models.BigIntegerField(help_text="ChangeLog.seq of the write that set the value.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "object_id", "field"], name="sync_one_clock_per_field"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.object_id} {self.field} @ {self.changed_at}"


DELETE_REQUEST_FIELD = "_delete"


class SyncConflict(models.Model):
    type = models.CharField(max_length=12)  # a SYNC_TYPES name (keneya.sync.registry)
    object_id = models.UUIDField()
    # The household the object belongs to: what scopes the conflict to a supervisor.
    household = models.ForeignKey(
        "people.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("ménage")
    )
    field = models.CharField(_("champ"), max_length=40)
    server_value = models.JSONField(_("valeur du serveur"), null=True)
    incoming_value = models.JSONField(_("valeur reçue"), null=True)
    server_device = models.ForeignKey(
        Device, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    incoming_device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="+")
    server_changed_at = models.DateTimeField(null=True, blank=True)
    incoming_changed_at = models.DateTimeField()
    # Which value last-writer-wins kept: "server" or "incoming".
    kept = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    chosen_value = models.JSONField(_("valeur retenue"), null=True, blank=True)

    class Meta:
        verbose_name = _("conflit de synchronisation")
        verbose_name_plural = _("conflits de synchronisation")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["household", "resolved_at"]),
            models.Index(fields=["type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.object_id} {self.field}"

    @property
    def is_delete_request(self) -> bool:
        return self.field == DELETE_REQUEST_FIELD


class PushBatch(models.Model):
    batch_id = models.UUIDField(unique=True)
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="batches")
    received_at = models.DateTimeField(auto_now_add=True)
    result = models.JSONField()

    class Meta:
        verbose_name = _("lot reçu")
        verbose_name_plural = _("lots reçus")

    def __str__(self) -> str:
        return str(self.batch_id)
