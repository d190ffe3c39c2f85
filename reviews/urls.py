"""Pages of this app, under /<company>/."""
from django.urls import path

from reviews.views import customer_followups, decisions, reforecast, review, tasks

week = "teams/<slug:team>/reviews/<str:week>/"
month = "reforecasts/<str:month>/"
_customers = "teams/<slug:team>/customers/"

urlpatterns = [
    path("review/", review.review_mine, name="review-mine"),
    path("teams/<slug:team>/review/", review.review_this_week, name="review-this-week"),
    path("teams/<slug:team>/review/start/", review.review_start, name="review-start"),
    path("teams/<slug:team>/reviews/", review.review_history_view, name="review-history"),
    path(week, review.review_detail, name="review-detail"),
    path(week + "notes/", review.review_note_add, name="review-note-add"),
    path(week + "summary/", review.review_summary, name="review-summary"),
    path(week + "decisions/", review.review_decision_add, name="review-decision-add"),
    path(week + "decisions/<int:decision_id>/", decisions.review_decision_edit,
         name="review-decision-edit"),
    path(week + "decisions/<int:decision_id>/delete/", decisions.review_decision_delete,
         name="review-decision-delete"),
    path(week + "decisions/<int:decision_id>/tasks/", decisions.review_task_add,
         name="review-task-add"),
    path(week + "tasks/<int:task_id>/delete/", decisions.review_task_delete,
         name="review-task-delete"),
    path(week + "close/", review.review_close, name="review-close"),
    path(week + "reopen/", review.review_reopen, name="review-reopen"),
    path("tasks/", tasks.my_tasks, name="my-tasks"),
    path("tasks/<int:task_id>/status/", tasks.task_status, name="task-status"),
    path("inbox/", tasks.inbox, name="inbox"),
    path("reforecasts/", reforecast.reforecast_latest, name="reforecast-latest"),
    path("reforecasts/run/", reforecast.reforecast_run, name="reforecast-run"),
    path(month, reforecast.reforecast_detail, name="reforecast-detail"),
    path(month + "progress/", reforecast.reforecast_progress, name="reforecast-progress"),
    path(month + "what-if/", reforecast.reforecast_what_if, name="reforecast-what-if"),
    path(month + "scenarios/", reforecast.reforecast_scenario_save,
         name="reforecast-scenario-save"),
    path(_customers + "at-risk/", customer_followups.cs_at_risk, name="cs-at-risk"),
    path(_customers + "<int:customer_id>/task/", customer_followups.cs_customer_task,
         name="cs-customer-task"),
]
