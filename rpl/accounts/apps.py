from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "rpl.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # connects the receivers; they use models, importable once the app registry is ready
        from rpl.accounts import signals  # noqa: F401
