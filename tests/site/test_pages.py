"""Page type rules and rendering of the public site."""

from django.test import override_settings
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from lms.site.models import HomePage, InformationPage
from lms.site.services.pages import site_seed


class PageTypeRulesTests(WagtailPageTestCase):
    def test_home_page_lives_under_the_tree_root_only(self):
        self.assertCanCreateAt(Page, HomePage)
        self.assertCanNotCreateAt(HomePage, HomePage)
        self.assertCanNotCreateAt(InformationPage, HomePage)

    def test_information_pages_live_under_home_or_information_pages(self):
        self.assertCanCreateAt(HomePage, InformationPage)
        self.assertCanCreateAt(InformationPage, InformationPage)
        self.assertCanNotCreateAt(Page, InformationPage)

    def test_allowed_types(self):
        # The feature page types under a home page: the course catalogue (issue 4) and the
        # newsletter archive (issue 10).
        from courses.models import CourseIndexPage
        from newsletters.models import NewsletterIndexPage

        self.assertAllowedSubpageTypes(
            HomePage, {InformationPage, CourseIndexPage, NewsletterIndexPage}
        )
        self.assertAllowedParentPageTypes(InformationPage, {HomePage, InformationPage})

    def test_seeded_pages_are_routable_and_renderable(self):
        result = site_seed(infohus_name="Infohus Hjørring")
        for page in (result.home, result.concern_page, result.accessibility_page):
            self.assertPageIsRoutable(page)
            self.assertPageIsRenderable(page)

    # MFA enforcement has its own tests (lms.people); this one is about the page type's form.
    @override_settings(LMS_REQUIRE_STAFF_MFA=False)
    def test_an_editor_can_create_an_information_page_in_the_admin(self):
        result = site_seed()
        self.login()  # a superuser, made by Wagtail's helper
        self.assertCanCreate(
            result.home,
            InformationPage,
            nested_form_data(
                {
                    "title": "Om Infohuset",
                    "slug": "om-infohuset",
                    "intro": rich_text("<p>Hvem vi er.</p>"),
                    "body": streamfield([("rich_text", rich_text("<p>Tekst</p>"))]),
                }
            ),
        )
        assert InformationPage.objects.filter(slug="om-infohuset").exists()
        assert Site.objects.get(is_default_site=True).root_page_id == result.home.pk
