import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from bangban.accounts.models import PasswordHistory
from bangban.core.demo import PASSWORD as DEMO_PASSWORD
from tests.factories import UserFactory

FACTORY_PASSWORD = "pass-1234-word"


def errors_for(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.mark.parametrize(("password", "code"), [
    ("Ab1!xyz", "password_too_short"),  # 7 characters
    ("Ab1!xyzw9", "password_too_short"),  # 9 < the default 10
    ("alllowercaseletters", "password_too_uniform"),
    ("lowercase12345", "password_too_uniform"),  # two classes only
    ("1234567890123", "password_entirely_numeric"),
    ("Password1234", "password_too_common"),
])
def test_weak_passwords_are_refused_with_the_reason(password, code):
    assert code in errors_for(password)


@pytest.mark.parametrize("password", [
    "Qujiang-2026!", "Invited-2026!", "lower-case-2026", "UPPER-CASE-2026", "Mixed Case words",
])
def test_passwords_with_three_character_classes_pass(password):
    assert errors_for(password) == set()


@pytest.mark.django_db
def test_a_password_like_the_user_name_is_refused():
    user = UserFactory.build(username="zhangwei2026", full_name="", email="")
    assert "password_too_similar" in errors_for("Zhangwei2026", user)


@pytest.mark.django_db
def test_the_demo_and_factory_passwords_satisfy_the_policy():
    user = UserFactory()
    assert errors_for(DEMO_PASSWORD) == set()
    assert errors_for(FACTORY_PASSWORD) == set()
    assert user.check_password(FACTORY_PASSWORD)


def test_the_minimum_length_follows_the_setting(settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
         "OPTIONS": {"min_length": 14}},
    ]
    assert "password_too_short" in errors_for("Abcdef-123456")  # 13


def test_the_character_class_message_is_translated_text():
    with translation.override("en"):
        try:
            validate_password("onlylowercaseletters")
        except ValidationError as error:
            messages = error.messages
    assert any("at least 3 of these" in message for message in messages)


@pytest.mark.django_db
def test_the_last_passwords_cannot_be_reused(settings):
    user = UserFactory()
    for password in ["First-pass-2026", "Second-pass-2026"]:
        user.set_password(password)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 2
    assert "password_reused" in errors_for("First-pass-2026", user)
    assert "password_reused" in errors_for("Second-pass-2026", user)  # the current one
    assert "password_reused" not in errors_for("Third-pass-2026", user)


@pytest.mark.django_db
def test_the_history_keeps_only_the_configured_number():
    user = UserFactory()
    for n in range(7):
        user.set_password(f"Changing-pass-{n}")
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    assert "password_reused" not in errors_for("Changing-pass-0", user)
    assert "password_reused" in errors_for("Changing-pass-3", user)


@pytest.mark.django_db
def test_the_password_change_page_applies_the_policy(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:password_change")
    weak = client.post(url, {"old_password": FACTORY_PASSWORD, "new_password1": "weakweakweak",
                             "new_password2": "weakweakweak"})
    assert weak.status_code == 200
    assert "new_password2" in weak.context["form"].errors

    reused = client.post(url, {"old_password": FACTORY_PASSWORD,
                               "new_password1": FACTORY_PASSWORD,
                               "new_password2": FACTORY_PASSWORD})
    assert "new_password2" in reused.context["form"].errors

    good = client.post(url, {"old_password": FACTORY_PASSWORD,
                             "new_password1": "Brand-new-2026", "new_password2": "Brand-new-2026"})
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Brand-new-2026")
    assert client.get(reverse("portal:workbench")).status_code == 200  # still logged in


@pytest.mark.django_db
def test_the_admin_refuses_a_weak_password(admin_client):
    user = UserFactory()
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    response = admin_client.post(url, {"password1": "abcdefgh", "password2": "abcdefgh",
                                       "usable_password": "true"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert not user.check_password("abcdefgh")
