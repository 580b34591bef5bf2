import pytest

from bangban.notifications.tests.fake_aliyun import FakeAliyunSms

ALIYUN_BACKEND = "bangban.notifications.backends.AliyunSmsBackend"


@pytest.fixture
def fake_aliyun():
    fake = FakeAliyunSms().start()
    yield fake
    fake.stop()


@pytest.fixture
def aliyun(settings, fake_aliyun):
    """SMS goes to the fake Aliyun server; returns the fake."""
    settings.SMS_BACKEND = ALIYUN_BACKEND
    settings.SMS_ALIYUN = {
        "access_key_id": fake_aliyun.access_key_id,
        "access_key_secret": fake_aliyun.secret,
        "sign_name": "滨州政务服务",
        "template_code": "SMS_000000001",
        "template_param": "content",
        "endpoint": fake_aliyun.url,
        "timeout": 5,
    }
    return fake_aliyun
