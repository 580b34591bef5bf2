"""The Aliyun SMS backend: signature, request, answers, against a local fake of the API."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from bangban.notifications import aliyun
from bangban.notifications.backends import (
    AliyunSmsBackend,
    PermanentDeliveryError,
    RetryableDeliveryError,
)
from bangban.notifications.tests.fake_aliyun import expected_signature

# The worked example of Aliyun's signature documentation (SMS, "签名机制").
DOC_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
DOC_SIGNATURE = "zJDF+Lrzhj/ThnlvIToysFRq6t4="
DOC_QUERY = (
    "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001"
    "&RegionId=cn-hangzhou&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B"
    "%E8%AF%95%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1"
    "&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0"
    "&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D"
    "&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25"
)


def test_signature_matches_the_example_in_aliyuns_documentation():
    assert aliyun.canonical_query(DOC_PARAMS) == DOC_QUERY
    assert aliyun.sign("GET", DOC_PARAMS, "testSecret") == DOC_SIGNATURE


def test_the_fake_servers_own_check_agrees_with_the_documentation():
    assert expected_signature("GET", {**DOC_PARAMS, "Signature": "x"}, "testSecret") \
        == DOC_SIGNATURE


def test_percent_encoding_follows_rfc_3986():
    assert aliyun.percent_encode("a b*c~d+e/") == "a%20b%2Ac~d%2Be%2F"
    assert aliyun.percent_encode("中") == "%E4%B8%AD"


def test_common_parameters():
    params = aliyun.common_params("id", "SendSms", now=datetime(2026, 3, 2, 1, 2, 3, tzinfo=UTC),
                                  nonce="n")
    assert params["Timestamp"] == "2026-03-02T01:02:03Z"
    assert params["Version"] == "2017-05-25"
    assert params["SignatureMethod"] == "HMAC-SHA1"


def test_send_sms_makes_a_signed_request_with_the_message_as_template_parameter(aliyun):
    key = uuid.uuid4()
    biz_id = AliyunSmsBackend().send("13800001111", "您的申请已受理。", key)
    assert biz_id == "000001^0"
    assert aliyun.rejected == []
    params = aliyun.deliveries[str(key)]["params"]
    assert params["Action"] == "SendSms"
    assert params["PhoneNumbers"] == "13800001111"
    assert params["SignName"] == "滨州政务服务"
    assert params["TemplateCode"] == "SMS_000000001"
    assert json.loads(params["TemplateParam"]) == {"content": "您的申请已受理。"}
    assert params["OutId"] == str(key)
    assert params["Format"] == "JSON"


def test_the_same_idempotency_key_reaches_the_phone_once(aliyun):
    key = uuid.uuid4()
    backend = AliyunSmsBackend()
    first = backend.send("13800001111", "一", key)
    second = backend.send("13800001111", "一", key)
    assert first == second
    assert aliyun.delivered[str(key)] == 1
    assert len(aliyun.send_calls) == 2


def test_find_sent_looks_the_key_up_with_query_send_details(aliyun):
    key = uuid.uuid4()
    backend = AliyunSmsBackend()
    backend.send("13800001111", "一", key)
    assert backend.find_sent("13800001111", key, timezone.now())
    assert backend.find_sent("13800001111", uuid.uuid4(), timezone.now()) is None
    assert backend.find_sent("13900002222", key, timezone.now()) is None
    assert aliyun.rejected == []


@pytest.mark.parametrize(("status", "code", "error"), [
    (200, "isv.BUSINESS_LIMIT_CONTROL", RetryableDeliveryError),
    (200, "isv.AMOUNT_NOT_ENOUGH", RetryableDeliveryError),
    (200, "isv.MOBILE_NUMBER_ILLEGAL", PermanentDeliveryError),
    (400, "isv.TEMPLATE_PARAMS_ILLEGAL", PermanentDeliveryError),
    (500, "InternalError", RetryableDeliveryError),
])
def test_provider_errors_are_retryable_or_permanent(aliyun, status, code, error):
    aliyun.scripted.append((status, {"Code": code, "Message": "m", "RequestId": "r"}))
    with pytest.raises(error, match=code):
        AliyunSmsBackend().send("13800001111", "一", uuid.uuid4())


def test_a_wrong_secret_is_refused_by_the_signature_check(aliyun, settings):
    settings.SMS_ALIYUN = {**settings.SMS_ALIYUN, "access_key_secret": "wrong"}
    with pytest.raises(RetryableDeliveryError, match="SignatureDoesNotMatch"):
        AliyunSmsBackend().send("13800001111", "一", uuid.uuid4())
    assert aliyun.deliveries == {}


def test_an_unreachable_endpoint_is_retryable(aliyun, settings):
    aliyun.stop()
    with pytest.raises(RetryableDeliveryError):
        AliyunSmsBackend().send("13800001111", "一", uuid.uuid4())


def test_missing_configuration_is_reported_by_name(settings):
    settings.SMS_ALIYUN = {**settings.SMS_ALIYUN, "access_key_id": "", "sign_name": ""}
    with pytest.raises(ImproperlyConfigured, match="BANGBAN_SMS_ALIYUN_ACCESS_KEY_ID"):
        AliyunSmsBackend()
