"""Pages of the notifications, under /<company>/ (the unsubscribe link is global)."""
from django.urls import path

from notifications.views import centre, company, preferences

urlpatterns = [
    path("notifications/", centre.notification_centre, name="notification-centre"),
    path("notifications/read/", centre.notification_read_all, name="notification-read-all"),
    path("notifications/preferences/", preferences.notification_preferences,
         name="notification-preferences"),
    path("notifications/settings/", company.notification_schedule,
         name="notification-schedule"),
]
