"""Pages of this app, under /<company>/."""
from django.urls import path

from .views import review, tasks

week = "teams/<slug:team>/reviews/<str:week>/"

urlpatterns = [
    path("review/", review.review_mine, name="review-mine"),
    path("teams/<slug:team>/review/", review.review_this_week, name="review-this-week"),
    path("teams/<slug:team>/reviews/", review.review_history_view, name="review-history"),
    path(week, review.review_detail, name="review-detail"),
    path(week + "notes/", review.review_note_add, name="review-note-add"),
    path(week + "summary/", review.review_summary, name="review-summary"),
    path(week + "decisions/", review.review_decision_add, name="review-decision-add"),
    path(week + "close/", review.review_close, name="review-close"),
    path(week + "reopen/", review.review_reopen, name="review-reopen"),
    path("tasks/", tasks.my_tasks, name="my-tasks"),
    path("tasks/<int:task_id>/status/", tasks.task_status, name="task-status"),
    path("inbox/", tasks.inbox, name="inbox"),
]
