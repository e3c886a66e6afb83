from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("new/", views.agreement_new, name="new"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/versions/<int:number>/", views.agreement_detail, name="version"),
    path("<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("<int:pk>/amend/", views.agreement_amend_view, name="amend"),
    path("<int:pk>/end/", views.agreement_end_view, name="end"),
]
