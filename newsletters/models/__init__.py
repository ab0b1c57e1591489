"""The newsletters app's models: editions (Wagtail pages), urgent messages, sends
and their delivery ledger, the default audience per Infohus.

One module per capability; everything is importable from `newsletters.models`.
"""

from newsletters.models.audiences import AudienceDefault
from newsletters.models.editions import NewsletterIndexPage, NewsletterPage
from newsletters.models.plans import EditionPlan, EditionReminder
from newsletters.models.sends import BouncingAddress, Delivery, OptOut, Send
from newsletters.models.urgent import UrgentMessage

__all__ = [
    "AudienceDefault",
    "BouncingAddress",
    "Delivery",
    "EditionPlan",
    "EditionReminder",
    "NewsletterIndexPage",
    "NewsletterPage",
    "OptOut",
    "Send",
    "UrgentMessage",
]
