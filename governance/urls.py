from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("learning-curves/<int:pk>/", views.learning_curve, name="learning_curve"),
]
