"""OKR pages, under /<company>/."""
from django.urls import path

from okrs import views as okr_views

okr = "teams/<slug:team>/okrs/"

urlpatterns = [
    path("okrs/", okr_views.okr_home, name="okr-home"),
    path(okr, okr_views.okr_list, name="okr-list"),
    path(f"{okr}objectives/", okr_views.objective_create, name="okr-objective-create"),
    path(f"{okr}objectives/<int:objective_id>/", okr_views.objective_edit,
         name="okr-objective-edit"),
    path(f"{okr}objectives/<int:objective_id>/copy/", okr_views.objective_copy,
         name="okr-objective-copy"),
    path(f"{okr}objectives/<int:objective_id>/krs/", okr_views.key_result_create,
         name="okr-kr-create"),
    path(f"{okr}krs/<int:kr_id>/", okr_views.key_result_edit, name="okr-kr-edit"),
    path(f"{okr}kpi-hint/", okr_views.kr_kpi_hint, name="okr-kr-kpi-hint"),
    path(f"{okr}krs/<int:kr_id>/delete/", okr_views.key_result_delete, name="okr-kr-delete"),
    path(f"{okr}krs/<int:kr_id>/checkins/", okr_views.checkin_create, name="okr-checkin"),
    path(f"{okr}review/", okr_views.quarter_review, name="okr-quarter-review"),
    path(f"{okr}review/apply/", okr_views.quarter_review_apply,
         name="okr-quarter-review-apply"),
    path("alignment/", okr_views.alignment_map, name="alignment-map"),
]
