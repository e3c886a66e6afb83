from django.urls import path

from . import activity_views, import_views, views

app_name = "caselogs"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("import/", import_views.case_import_view, name="import"),
    path("import/template.csv", import_views.case_import_template, name="import_template"),
    path("queue/", views.verification_queue, name="queue"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/verify/", views.case_verify_view, name="verify"),
    path("activities/", activity_views.activity_list, name="activities"),
    path("activities/new/", activity_views.activity_new, name="activity_new"),
    path(
        "activities/<int:pk>/decide/", activity_views.activity_decide_view, name="activity_decide"
    ),
    path("assessments/", activity_views.assessment_list, name="assessments"),
    path("assessments/new/", activity_views.assessment_new, name="assessment_new"),
]
