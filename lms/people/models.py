"""The organisation tree, job categories, the staff roster and role assignments."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from lms import bounds


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A login. Signs in by email (allauth); linked to at most one roster Person."""

    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.email


class OrgUnit(MP_Node):
    """A node of the organisation tree. A role assignment on a node covers its whole subtree."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        ADMINISTRATION = "administration", _("Administration")
        POLICE = "police", _("Police")
        WORKPLACE = "workplace", _("Workplace")
        INSTITUTION = "institution", _("External institution")
        PARTNER = "partner", _("Partner")

    EXTERNAL_KINDS = (Kind.INSTITUTION, Kind.PARTNER)

    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        help_text=_("Stable identifier from the HR or organisation system; used by imports."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self):
        return self.name

    @property
    def is_external(self) -> bool:
        return self.kind in self.EXTERNAL_KINDS

    @property
    def indented_name(self) -> str:
        return "\u2014 " * (self.depth - 1) + self.name

    @classmethod
    def ancestor_paths(cls, path: str) -> list[str]:
        """The paths of the node at `path` and of every node above it, root first: the units
        whose role assignments, requirements or rules cover that node (in one `path__in`)."""
        return [path[:end] for end in range(cls.steplen, len(path) + 1, cls.steplen)]


class JobCategory(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    is_frontline = models.BooleanField(
        _("front-line"),
        default=False,
        help_text=_("Front-line staff are the audience the Infohus must reach."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("job category")
        verbose_name_plural = _("job categories")

    def __str__(self):
        return self.name


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def in_subtree(self, unit: OrgUnit):
        return self.filter(org_unit__path__startswith=unit.path)


class Person(models.Model):
    """One row of the roster: everyone who attends, learns or receives the newsletter."""

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    employee_number = models.CharField(_("employee number"), max_length=64, blank=True, default="")
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="people", verbose_name=_("org unit")
    )
    job_category = models.ForeignKey(
        JobCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("job category"),
    )
    manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("manager"),
    )
    active = models.BooleanField(_("active"), default=True)
    left_on = models.DateField(
        _("left on"), null=True, blank=True, validators=bounds.date_validators()
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("user account"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="person_email_ci_unique"),
            models.UniqueConstraint(
                fields=["employee_number"],
                condition=~models.Q(employee_number=""),
                name="person_employee_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(active=True) | models.Q(left_on__isnull=False),
                name="person_inactive_has_left_on",
            ),
        ]
        indexes = [models.Index(fields=["active", "org_unit"])]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Infohus coordinator")
    DEPARTMENT_CONTACT = "department_contact", _("Department contact")
    INSTITUTION_COORDINATOR = "institution_coordinator", _("Institution coordinator")
    STEERING_GROUP = "steering_group", _("Steering group")
    # A manager over an org unit and its subtree (for example the municipal director): what a
    # leader may do beyond reaching the admin is granted by the features.
    LEADER = "leader", _("Leader")
    # The Infohus members a citizen's concern goes to: about someone under 18, the SSP
    # consultant; about an adult, the police representative (lms.concerns).
    SSP_CONSULTANT = "ssp_consultant", _("SSP consultant")
    POLICE_REPRESENTATIVE = "police_representative", _("Police representative")


class RoleAssignment(models.Model):
    """A role held by a user over an org unit and everything below it."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("org unit"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__email", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org_unit"], name="role_assignment_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} \u2013 {self.get_role_display()} \u2013 {self.org_unit}"
