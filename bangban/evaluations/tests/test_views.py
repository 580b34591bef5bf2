"""The pages: the company's evaluate page and form, window entry, staff lists, the rectification
actions through the page, who gets a 404, and constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import CaseState, ItemState
from bangban.evaluations.models import Evaluation, Rectification
from bangban.evaluations.services import submit_evaluation
from bangban.evaluations.tests.conftest import NOW, make_world
from bangban.evaluations.workflow import RectificationState
from tests.factories import CaseFactory, CaseItemFactory, CompanyContactFactory

pytestmark = pytest.mark.django_db


def _rate_item_url(item):
    return reverse("evaluations:rate_item", args=[item.pk])


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_company_sees_what_it_can_rate_and_rates_it(client, world):
    client.force_login(world.applicant)
    page = client.get(reverse("evaluations:pending")).content.decode()
    assert f'data-rate="item-{world.approved.pk}"' in page
    assert f'data-rate="item-{world.refused.pk}"' in page
    assert f'data-rate="case-{world.case.pk}"' in page
    assert f'item-{world.running.pk}"' not in page and f'item-{world.withdrawn.pk}"' not in page
    assert 'data-nav="evaluations"' in page
    form = client.get(_rate_item_url(world.approved)).content.decode()
    assert 'name="rating"' in form and 'name="comment"' in form and 'name="contact"' not in form
    response = client.post(_rate_item_url(world.approved), {"rating": "1", "comment": "很好"},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("evaluations:pending")
    evaluation = Evaluation.objects.get()
    assert (evaluation.item, evaluation.rating, evaluation.channel) == (world.approved, 1,
                                                                        "portal")
    page = response.content.decode()
    assert f'data-rate="item-{world.approved.pk}"' not in page
    assert f'data-evaluation="{evaluation.pk}"' in page


def test_bad_rating_without_comment_shows_the_form_again(client, world):
    client.force_login(world.applicant)
    response = client.post(_rate_item_url(world.approved), {"rating": "4", "comment": ""})
    assert response.status_code == 200
    assert "comment" in response.context["form"].errors
    assert not Evaluation.objects.exists()
    response = client.post(_rate_item_url(world.approved), {"rating": "9"})
    assert response.status_code == 200 and "rating" in response.context["form"].errors


def test_bad_rating_from_the_portal_opens_a_rectification(client, world):
    client.force_login(world.applicant)
    client.post(reverse("evaluations:rate_case", args=[world.case.pk]),
                {"rating": "5", "comment": "专员多次联系不上"})
    evaluation = Evaluation.objects.get()
    assert evaluation.item is None and evaluation.rectification.state == "open"
    page = client.get(reverse("evaluations:pending")).content.decode()
    assert 'data-rectification-state="open"' in page


@pytest.mark.parametrize("case", ["second", "not_finished", "window_over"])
def test_refused_ratings_show_a_message_and_change_nothing(client, world, clock, case):
    item = world.approved
    if case == "second":
        submit_evaluation(by=world.applicant, case=world.case, item=item, rating=1)
    elif case == "not_finished":
        item = world.running
    else:
        clock.set(NOW + datetime.timedelta(days=40))
    client.force_login(world.applicant)
    before = (Evaluation.objects.count(), LedgerEntry.objects.count())
    for response in (client.get(_rate_item_url(item), follow=True),
                     client.post(_rate_item_url(item), {"rating": "2"}, follow=True)):
        assert response.redirect_chain[-1][0] == reverse("evaluations:pending")
        assert _messages(response)
    assert (Evaluation.objects.count(), LedgerEntry.objects.count()) == before


@pytest.mark.parametrize("who", ["other_company", "outsider", "other_chief"])
def test_another_companys_items_are_404(client, world, who):
    client.force_login(world.user(who))
    for url in (_rate_item_url(world.approved),
                reverse("evaluations:rate_case", args=[world.case.pk]),
                reverse("evaluations:case", args=[world.case.pk])):
        assert client.get(url).status_code == 404
        assert client.post(url, {"rating": "1"}).status_code == 404
    assert not Evaluation.objects.exists()


def test_staff_and_outsiders_have_no_company_page(client, world):
    for user in (world.chief, world.outsider):
        client.force_login(user)
        assert client.get(reverse("evaluations:pending")).status_code == 404


def test_specialist_enters_a_window_rating_from_the_case_page(client, world):
    client.force_login(world.specialist)
    page = client.get(reverse("evaluations:case", args=[world.case.pk])).content.decode()
    assert f'data-rate="item-{world.approved.pk}"' in page
    form = client.get(_rate_item_url(world.approved)).content.decode()
    assert 'name="contact"' in form
    response = client.post(_rate_item_url(world.approved),
                           {"rating": "2", "comment": "", "contact": world.colleague.pk})
    assert response.url == reverse("evaluations:case", args=[world.case.pk])
    evaluation = Evaluation.objects.get()
    assert evaluation.channel == "window" and evaluation.contact == world.colleague
    assert evaluation.entered_by == world.specialist


def test_window_contact_must_belong_to_the_company(client, world):
    client.force_login(world.specialist)
    response = client.post(_rate_item_url(world.approved),
                           {"rating": "2", "contact": CompanyContactFactory().pk})
    assert response.status_code == 200 and "contact" in response.context["form"].errors
    assert not Evaluation.objects.exists()


def test_supervisor_reads_the_case_ratings_but_cannot_enter_one(client, world):
    client.force_login(world.supervisor)
    page = client.get(reverse("evaluations:case", args=[world.case.pk])).content.decode()
    assert "data-rate=" not in page
    response = client.post(_rate_item_url(world.approved),
                           {"rating": "2", "contact": world.colleague.pk})
    assert response.status_code == 302 and not Evaluation.objects.exists()


def test_department_representative_gets_404_on_the_case_ratings(client, world):
    client.force_login(world.department)
    assert client.get(reverse("evaluations:case", args=[world.case.pk])).status_code == 404


def _bad(world):
    return submit_evaluation(by=world.applicant, case=world.case, item=world.approved, rating=4,
                             comment="告知不清")


def test_chief_works_the_rectification_through_the_pages(client, world):
    evaluation = _bad(world)
    rectification = evaluation.rectification
    client.force_login(world.chief)
    detail = reverse("evaluations:detail", args=[evaluation.pk])
    page = client.get(detail).content.decode()
    assert 'data-rectification-action="verify"' in page
    action = reverse("evaluations:rectification_action", args=[rectification.pk, "verify"])
    form = client.get(action).content.decode()
    assert 'name="founded"' in form and 'name="finding"' in form
    response = client.post(action, {"founded": "yes", "finding": "情况属实"})
    assert response.url == detail
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.VERIFIED and rectification.founded
    for name, data in (("rectify", {"measures": "整改"}), ("return_visit", {"feedback": "满意"}),
                       ("close", {"note": ""})):
        client.post(reverse("evaluations:rectification_action", args=[rectification.pk, name]),
                    data)
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.CLOSED
    page = client.get(detail).content.decode()
    assert 'data-ledger-action="rectification_close"' in page


def test_empty_finding_shows_the_form_again(client, world):
    rectification = _bad(world).rectification
    client.force_login(world.chief)
    response = client.post(
        reverse("evaluations:rectification_action", args=[rectification.pk, "verify"]),
        {"founded": "yes", "finding": " "})
    assert response.status_code == 200
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.OPEN


def test_specialist_and_supervisor_read_but_cannot_act(client, world):
    evaluation = _bad(world)
    for user in (world.specialist, world.supervisor):
        client.force_login(user)
        page = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
        assert "data-rectification-action" not in page
        response = client.post(reverse("evaluations:rectification_action",
                                       args=[evaluation.rectification.pk, "verify"]),
                               {"founded": "yes", "finding": "伪造"})
        assert response.status_code == 302
    assert Rectification.objects.get().state == RectificationState.OPEN


@pytest.mark.parametrize("who", ["applicant", "department", "outsider", "other_chief"])
def test_others_get_404_on_staff_pages(client, world, who):
    evaluation = _bad(world)
    client.force_login(getattr(world, who))
    assert client.get(reverse("evaluations:detail", args=[evaluation.pk])).status_code == 404
    url = reverse("evaluations:rectification_action", args=[evaluation.rectification.pk,
                                                             "verify"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"founded": "yes", "finding": "伪造"}).status_code == 404
    for name in ("list", "rectifications"):
        page = client.get(reverse(f"evaluations:{name}")).content.decode()
        assert f'data-evaluation="{evaluation.pk}"' not in page
        assert f'data-rectification="{evaluation.rectification.pk}"' not in page
    assert Rectification.objects.get().state == RectificationState.OPEN


def test_unknown_action_is_404(client, world):
    rectification = _bad(world).rectification
    client.force_login(world.chief)
    url = reverse("evaluations:rectification_action", args=[rectification.pk, "delete"])
    assert client.get(url).status_code == 404


def test_overdue_rectifications_are_marked_and_filtered(client, world, clock):
    rectification = _bad(world).rectification
    client.force_login(world.chief)
    url = reverse("evaluations:rectifications")
    assert 'data-overdue="true"' not in client.get(url).content.decode()
    assert f'data-rectification="{rectification.pk}"' not in client.get(
        url, {"overdue": "on"}).content.decode()
    clock.set(NOW + datetime.timedelta(days=40))
    client.force_login(world.chief)  # the session would have expired
    page = client.get(url, {"overdue": "on"}).content.decode()
    assert f'data-rectification="{rectification.pk}"' in page and 'data-overdue="true"' in page


# ----------------------------------------------------------------------- query counts


def _more_finished_items(world, n):
    for _ in range(n):
        CaseItemFactory(case=world.case, state=ItemState.APPROVED, decided_at=NOW)


def _more_completed_cases(world, n):
    company = world.case.project.company
    for _ in range(n):
        case = CaseFactory(state=CaseState.COMPLETED, completed_at=NOW,
                           project__company=company, agency=world.case.agency,
                           company_contact=world.case.company_contact)
        item = CaseItemFactory(case=case, state=ItemState.APPROVED, decided_at=NOW)
        submit_evaluation(by=world.applicant, case=case, item=item, rating=5, comment="差")


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["pending", "case"])
def test_company_pages_run_constant_queries(client, world, url_name, django_assert_num_queries):
    client.force_login(world.applicant)
    args = [world.case.pk] if url_name == "case" else []
    url = reverse(f"evaluations:{url_name}", args=args)
    submit_evaluation(by=world.applicant, case=world.case, item=world.refused, rating=2)
    few = _queries(client, url)  # one rating given, two subjects open
    _more_finished_items(world, 6)
    _more_completed_cases(world, 4)
    with django_assert_num_queries(few):
        client.get(url)


@pytest.mark.parametrize("url_name", ["list", "rectifications", "summary"])
def test_staff_pages_run_constant_queries(client, world, url_name, django_assert_num_queries):
    _bad(world)
    client.force_login(world.chief)
    url = reverse(f"evaluations:{url_name}")
    few = _queries(client, url)
    _more_completed_cases(world, 5)
    other = make_world(agency=world.case.agency)
    submit_evaluation(by=other.applicant, case=other.case, item=other.refused, rating=4,
                      comment="慢")
    with django_assert_num_queries(few):
        client.get(url)
