from django.urls import path

from . import export_views, report_views, views

app_name = "governance"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/", report_views.audit_reports, name="reports"),
    path("reports/<int:pk>/", report_views.audit_report_detail, name="report"),
    path(
        "reports/<int:pk>/charts/<slug:name>.svg",
        report_views.audit_report_chart,
        name="report_chart",
    ),
    path("learning-curves/<int:pk>/", views.learning_curve, name="learning_curve"),
    path("learning-curves/<int:pk>/chart.svg", views.learning_curve_svg, name="learning_curve_svg"),
    path("exports/", export_views.export_page, name="exports"),
    path("exports/<str:dataset>.<str:fmt>", export_views.export_download, name="export_download"),
]
