from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from notifications.tasks import review_mail_waiting_sent
        from reviews.signals import review_mail_waiting

        review_mail_waiting.connect(review_mail_waiting_sent,
                                    dispatch_uid="notifications.review_mail_waiting")

        from notifications.services import UNREAD_SQL
        from teams.membership_rows import MEMBERSHIP_SQL

        # The header badge's count rides on the resolver's one read of the memberships.
        MEMBERSHIP_SQL["notifications_unread"] = UNREAD_SQL
