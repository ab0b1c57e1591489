"""Forms of the booking page (attendance.views.bookings): choose colleagues, add a new one.

They only parse what was posted; the rules (who may be booked, where a new colleague may be
added) are the access policy's and attendance.services.bookings', whose errors the views put
back on these forms.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from attendance import access
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, Person


class _ErrorsDescribed:
    """Each input with an error refers to its error message (aria-describedby), which the
    template renders with the id `<input id>-error`."""

    def add_error(self, field, error):
        # Also called by full_clean for each field; the views call it with a service's errors.
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"


class BookForm(_ErrorsDescribed, forms.Form):
    # Anyone of the booker's MEETING_BOOK scope parses, so that the service can say by name why
    # a colleague cannot be booked (left meanwhile, not in the audience); anyone else is refused
    # here without a name.
    people = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Colleagues to book"),
        queryset=Person.objects.none(),
        error_messages={
            "required": gettext_lazy("Choose at least one person to book."),
            "invalid_choice": gettext_lazy(
                "Someone you chose cannot be booked here. Reload the page and choose again."
            ),
            "invalid_pk_value": gettext_lazy(
                "Someone you chose cannot be booked here. Reload the page and choose again."
            ),
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = policy.people(user, access.Action.MEETING_BOOK)


class NewColleagueForm(_ErrorsDescribed, forms.Form):
    """A colleague not yet in the roster. The unit is asked only when the booker may add people
    to more than one unit that the meeting is for (`units`); otherwise it is that one unit."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        # Someone else's name and address: the browser's own autofill would offer the booker's.
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": gettext_lazy("Give the colleague's name.")},
    )
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"required": gettext_lazy("Give the colleague's email address.")},
    )
    job_category = forms.ModelChoiceField(
        label=gettext_lazy("Job category"),
        queryset=JobCategory.objects.none(),
        empty_label=gettext_lazy("Choose …"),
        error_messages={
            "required": gettext_lazy("Choose the colleague's job category."),
            "invalid_choice": gettext_lazy("Choose the colleague's job category."),
        },
    )
    org_unit = forms.ModelChoiceField(
        label=gettext_lazy("Works at"),
        queryset=OrgUnit.objects.none(),
        empty_label=gettext_lazy("Choose …"),
        error_messages={
            "required": gettext_lazy("Choose where the colleague works."),
            "invalid_choice": gettext_lazy(
                "Choose a unit of your own whose staff this meeting is for."
            ),
        },
    )

    def __init__(self, *args, job_categories: list[JobCategory], units: list[OrgUnit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_category"].queryset = JobCategory.objects.filter(
            pk__in=[c.pk for c in job_categories]
        )
        # Show the choices already loaded instead of querying again when rendering.
        self.fields["job_category"].choices = [("", self.fields["job_category"].empty_label)] + [
            (c.pk, c.name) for c in job_categories
        ]
        self.only_unit = units[0] if len(units) == 1 else None
        if self.only_unit is not None:
            del self.fields["org_unit"]
        else:
            self.fields["org_unit"].queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in units])
            self.fields["org_unit"].choices = [("", self.fields["org_unit"].empty_label)] + [
                (u.pk, u.name) for u in units
            ]
