import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from rpl.accounts import invitations
from rpl.accounts.identifiers import normalise_email
from rpl.accounts.roles import Role
from rpl.accounts.services import ensure_user


class Command(BaseCommand):
    help = (
        "Create an administrator (who may also use the Django admin) and print the link where "
        "they choose their password, or take the password from standard input."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The address they log in with.")
        parser.add_argument("--name", default="", help="Their full name.")
        parser.add_argument(
            "--password-from-stdin",
            action="store_true",
            help="Read the password from the first line of standard input instead.",
        )

    def handle(self, *args, email, name, password_from_stdin, **options):
        email = normalise_email(email)
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an e-mail address.") from None
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise CommandError(
                f"An account with the address {email} exists already; nothing was changed."
            )
        password = None
        if password_from_stdin:
            password = options.get("stdin", sys.stdin).readline().rstrip("\r\n")
            try:
                validate_password(password, get_user_model()(email=email, full_name=name))
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        user, _created = ensure_user(
            email,
            full_name=name,
            roles=[Role.ADMINISTRATOR],
            password=password,
            is_staff=True,
            is_superuser=True,
        )
        self.stdout.write(f"Administrator {email} created.")
        if password is None:
            self.stdout.write(
                f"They choose their password here (the link works once, "
                f"within {settings.INVITATION_DAYS} days):"
            )
            self.stdout.write(invitations.link(user))
