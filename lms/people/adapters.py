"""allauth adapters: where identity meets the roster."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.utils.encoding import force_str

from lms.mail import message_clean


@dataclass(frozen=True)
class InfohusMailSite:
    """What allauth's mail templates read as `current_site`: without django.contrib.sites allauth
    would name the request's host ("127.0.0.1:8000"); the mails name the Infohus instead."""

    name: str
    domain: str


def mail_site(request) -> InfohusMailSite:
    from lms.site.selectors.site import infohus_name

    return InfohusMailSite(
        name=infohus_name(request=request), domain=urlsplit(settings.LMS_BASE_URL).netloc
    )


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return settings.ACCOUNT_SIGNUP_ENABLED

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {"current_site": mail_site(allauth_context.request), **context}
        super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject: str) -> str:
        prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
        if prefix is None:
            prefix = f"[{mail_site(allauth_context.request).name}] "
        return prefix + force_str(subject)

    def render_mail(self, template_prefix, email, context, headers=None):
        # allauth's mails get the same header cleaning as every other mail (lms.mail).
        return message_clean(super().render_mail(template_prefix, email, context, headers))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on from the municipality's identity provider.

    Whether an email the IdP sends counts as verified is allauth's own `verified_email` app
    setting, which lms/settings/base.py fills from OIDC_VERIFIED_EMAIL / SAML_VERIFIED_EMAIL:
    true for an IdP whose mail attribute the municipality's IT controls, or a list of the
    municipality's mail domains. The IdP's own `email_verified` claim counts too. A verified email
    signs in to the local account with that address and links the user to the roster Person
    (lms.people.services.identity); an unverified one is confirmed by mail first.
    """

    def is_open_for_signup(self, request, sociallogin):
        # An employee who signs in through the municipality's IdP gets an account even when
        # self-service signup with a password is closed (LMS_SIGNUP_ENABLED=false).
        return True
