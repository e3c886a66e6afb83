from django.urls import path

from . import views

app_name = "signoffs"

urlpatterns = [path("steps/<int:pk>/sign/", views.sign, name="sign")]
