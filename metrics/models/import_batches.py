"""Import batches: an uploaded file kept between its preview and its commit."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from teams.models import Company


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    ANALYZING = "analyzing", _("Checking")
    INVALID = "invalid", _("Has problems")
    READY = "ready", _("Ready to import")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ImportBatch(models.Model):
    """One uploaded file: kept (bytes and all) between its preview and its commit."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="import_batches")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    # Who clicked "import": the commit (on a worker too) runs with their permissions.
    commit_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    commit_requested_at = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(_("file"), max_length=255)
    data = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    file_format = models.CharField(max_length=8, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    # The worksheet read (xlsx): the active one if visible, else the first visible.
    sheet_name = models.CharField(max_length=100, blank=True)
    shape = models.CharField(max_length=8, blank=True)
    # The uploader's language: problems found by a worker are written in it.
    language = models.CharField(max_length=8, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    record_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    new_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The cells it would change (preview) or changed (done), old → new: metrics.batch_changes.
    changes = models.BinaryField(editable=False, default=b"")
    written_at = models.DateTimeField(null=True, blank=True)  # a later write is a later batch
    # An undo is its own batch: one undo per batch.
    undo_of = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="undone_by")

    class Meta:
        verbose_name = _("import")
        ordering = ["company", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values),
                                   name="importbatch_status_valid")
        ]

    def __str__(self):
        return f"{self.filename} ({self.status})"

    @property
    def is_working(self):
        return self.status in {ImportStatus.UPLOADED, ImportStatus.ANALYZING,
                               ImportStatus.QUEUED, ImportStatus.RUNNING}
