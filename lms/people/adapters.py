"""allauth adapters: where identity meets the roster."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

from lms.mail import message_clean


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return settings.ACCOUNT_SIGNUP_ENABLED

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
    (lms.people.identity); an unverified one is confirmed by mail first.
    """

    def is_open_for_signup(self, request, sociallogin):
        # An employee who signs in through the municipality's IdP gets an account even when
        # self-service signup with a password is closed (LMS_SIGNUP_ENABLED=false).
        return True
