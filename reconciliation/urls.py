from django.urls import path

from . import views

app_name = "reconciliation"

urlpatterns = [
    path("", views.reconciliation_home, name="home"),
    path("lists/upload/", views.procedure_list_upload, name="list_upload"),
    path("lists/<int:pk>/", views.procedure_list_detail, name="list_detail"),
    path("not-logged/", views.not_logged_list, name="not_logged"),
    path("not-logged/<int:pk>/log/", views.not_logged_log, name="not_logged_log"),
    path(
        "not-logged/<int:pk>/not-involved/",
        views.not_logged_not_involved,
        name="not_logged_not_involved",
    ),
    path("samples/draw/", views.sample_draw, name="sample_draw"),
    path("samples/<int:pk>/", views.sample_detail, name="sample_detail"),
    path("samples/<int:pk>/cases/<int:case_pk>/", views.sampled_case_edit, name="sampled_case"),
]
