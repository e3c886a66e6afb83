from django.urls import path

from . import views

app_name = "phases"

urlpatterns = [
    path("<int:pk>/", views.progress, name="progress"),
    path("<int:pk>/request/", views.request_progression, name="request"),
    path("<int:pk>/competencies/", views.sign_competency, name="competency"),
    path("<int:pk>/return/", views.return_to_phase, name="return"),
    path("<int:pk>/annual-review/", views.request_annual_review, name="annual_review"),
]
