from django.contrib.admin.apps import AdminConfig


class IRAdminConfig(AdminConfig):
    default_site = "irtraining.admin_site.TwoFactorAdminSite"
