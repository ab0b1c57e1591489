"""allauth adapters: where identity meets the roster."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return settings.ACCOUNT_SIGNUP_ENABLED


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on from the municipality's identity provider.

    The IdP is configured by the municipality's IT and asserts staff email addresses, so an email
    it sends is taken as verified when OIDC_TRUST_EMAIL / SAML are configured (the default)."""

    def is_email_verified(self, provider, email):
        if getattr(settings, "LMS_SSO_TRUST_EMAIL", True):
            return True
        return super().is_email_verified(provider, email)
