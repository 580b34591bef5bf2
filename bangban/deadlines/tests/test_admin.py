import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bangban.deadlines.models import CalendarDay, PublishedYear
from bangban.deadlines.services import save_published_year, seed_from_package
from bangban.deadlines.workdays import add_working_days, due_after, is_working_day
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date
IMPORT_URL = "admin:deadlines_calendarday_import"
MISSING_2027 = "The working-day schedule for 2027 is not in the calendar yet"


@pytest.fixture(autouse=True)
def seeded():
    seed_from_package()


@pytest.fixture
def today(monkeypatch):
    def set_today(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    set_today(D(2026, 11, 23))
    return set_today


def csv_upload(text, name="2027.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def admin_client(admin_user, client):
    """The admin in English, so pages can be checked against the English msgids."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(admin_user)
    return client


def page(response):
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("model", ["calendarday", "publishedyear"])
def test_changelists_render(admin_client, model):
    page(admin_client.get(reverse(f"admin:deadlines_{model}_changelist")))


def test_days_show_their_weekday_and_whether_they_are_national(admin_client):
    agency = AgencyFactory(name="克州政务服务中心")
    CalendarDay.objects.create(date=D(2025, 6, 6), kind="holiday", name="古尔邦节", agency=agency)
    url = reverse("admin:deadlines_calendarday_changelist")
    content = page(admin_client.get(url, {"date__year": 2025}))
    assert "克州政务服务中心" in content and "古尔邦节" in content
    assert "National" in content and "Sunday" in content


def test_the_changelist_and_the_admin_index_warn_that_2027_is_missing(admin_client, today):
    for url in ["admin:index", "admin:deadlines_calendarday_changelist",
                "admin:deadlines_publishedyear_changelist", IMPORT_URL]:
        assert MISSING_2027 in page(admin_client.get(reverse(url))), url


def test_no_warning_once_next_year_is_published(admin_client, today):
    save_published_year(published=PublishedYear(year=2027))
    assert MISSING_2027 not in page(admin_client.get(reverse("admin:index")))


def test_next_year_is_not_missing_before_the_autumn(admin_client, today):
    today(D(2026, 6, 1))
    assert "not in the calendar yet" not in page(admin_client.get(reverse("admin:index")))


def test_a_missing_current_year_is_always_a_warning(admin_client, today):
    today(D(2027, 3, 1))
    content = page(admin_client.get(reverse("admin:index")))
    assert "The working-day schedule for 2027 is missing" in content


def test_staff_without_calendar_permission_see_no_warning(client, today):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(UserFactory(is_staff=True))
    assert "working-day schedule" not in page(client.get(reverse("admin:index")))


def test_an_administrator_adds_a_local_day_off(admin_client):
    agency = AgencyFactory()
    response = admin_client.post(reverse("admin:deadlines_calendarday_add"), {
        "date": "2025-06-06", "kind": "holiday", "name": "古尔邦节", "agency": agency.pk,
    })
    assert response.status_code == 302
    assert not is_working_day(D(2025, 6, 6), agency=agency)
    assert is_working_day(D(2025, 6, 6))


def test_an_administrator_edits_a_national_day_and_deadlines_follow(admin_client):
    assert add_working_days(D(2025, 9, 26), 10) == D(2025, 10, 16)
    day = CalendarDay.objects.get(date=D(2025, 10, 11), agency=None)  # a make-up Saturday
    response = admin_client.post(reverse("admin:deadlines_calendarday_change", args=[day.pk]), {
        "date": "2025-10-11", "kind": "holiday", "name": "国庆节", "agency": "",
    })
    assert response.status_code == 302
    assert add_working_days(D(2025, 9, 26), 10) == D(2025, 10, 17)


def test_a_date_twice_in_the_admin_is_a_form_error(admin_client):
    response = admin_client.post(reverse("admin:deadlines_calendarday_add"), {
        "date": "2025-10-01", "kind": "holiday", "name": "国庆节", "agency": "",
    })
    assert "The national calendar already has this date." in page(response)


def test_deleting_days_in_the_admin_changes_the_calendar(admin_client):
    days = CalendarDay.objects.filter(date__range=(D(2025, 10, 1), D(2025, 10, 8)))
    response = admin_client.post(reverse("admin:deadlines_calendarday_changelist"), {
        "action": "delete_selected", "_selected_action": [d.pk for d in days], "post": "yes",
    })
    assert response.status_code == 302
    assert is_working_day(D(2025, 10, 8))


def test_the_changelist_links_to_the_import_page(admin_client):
    assert reverse(IMPORT_URL) in page(
        admin_client.get(reverse("admin:deadlines_calendarday_changelist"))
    )


def test_an_administrator_imports_a_schedule(admin_client):
    page(admin_client.get(reverse(IMPORT_URL)))
    response = admin_client.post(reverse(IMPORT_URL), {
        "file": csv_upload("date,kind,name\n2027-02-08,holiday,春节\n"),
    }, follow=True)
    assert "Imported 2027.csv: the schedule of 2027, 1 days; 1 added" in page(response)
    assert not is_working_day(D(2027, 2, 8))
    assert PublishedYear.objects.filter(year=2027, source="2027.csv").exists()


def test_a_bad_import_lists_its_bad_lines_and_changes_nothing(admin_client):
    response = admin_client.post(reverse(IMPORT_URL), {
        "file": csv_upload("date,kind,name\n2027-02-08,holiday,春节\n2027-02-08,day,春节\n"),
    })
    content = page(response)
    assert "2027.csv was not imported; nothing changed." in content
    assert "Line 3: unknown kind &quot;day&quot;" in content
    assert "Line 3: 2027-02-08 is already given on line 2." in content
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert not PublishedYear.objects.filter(year=2027).exists()


def test_only_administrators_who_may_change_days_may_import(client):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    assert client.get(reverse(IMPORT_URL)).status_code == 403


def test_days_are_found_by_name_or_date(admin_client):
    url = reverse("admin:deadlines_calendarday_changelist")
    content = page(admin_client.get(url, {"q": "2025-10-0"}))
    assert "Oct. 1, 2025" in content and "Oct. 11, 2025" not in content
    assert "Sept. 28, 2025" in page(admin_client.get(url, {"q": "国庆", "date__year": 2025}))


def test_the_add_page_renders(admin_client):
    assert "agency" in page(admin_client.get(reverse("admin:deadlines_calendarday_add")))


def test_unpublishing_a_year_makes_it_provisional_again(admin_client):
    year = PublishedYear.objects.get(year=2025)
    response = admin_client.post(
        reverse("admin:deadlines_publishedyear_delete", args=[year.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert due_after(D(2025, 9, 26), 10) == (D(2025, 10, 16), True)
