"""The newsletters app's models: editions (Wagtail pages), sends and their delivery ledger.

One module per capability; everything is importable from `newsletters.models`.
"""

from newsletters.models.editions import NewsletterIndexPage, NewsletterPage
from newsletters.models.plans import EditionPlan, EditionReminder
from newsletters.models.sends import BouncingAddress, Delivery, OptOut, Send

__all__ = [
    "BouncingAddress",
    "Delivery",
    "EditionPlan",
    "EditionReminder",
    "NewsletterIndexPage",
    "NewsletterPage",
    "OptOut",
    "Send",
]
