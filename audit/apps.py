from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self):
        from django.core.signals import got_request_exception

        from .security import request_exception_log

        # A request that raises is a security event (audit/security.py explains why).
        got_request_exception.connect(request_exception_log, dispatch_uid="audit.security")
