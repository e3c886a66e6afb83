from django.urls import path

from . import views

app_name = "caselogs"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("queue/", views.verification_queue, name="queue"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/verify/", views.case_verify_view, name="verify"),
]
