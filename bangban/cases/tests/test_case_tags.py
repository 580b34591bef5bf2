"""The light every list shows per row, built without a template."""

import pytest
from django.template import engines
from django.utils import translation

LIGHT = engines["django"].from_string("{% load case_tags %}{% warning_light level paused %}")


def light(level, paused=False, language="en"):
    with translation.override(language):
        return LIGHT.render({"level": level, "paused": paused})


@pytest.mark.parametrize("level", ["", None])
def test_no_light_without_a_running_clock(level):
    assert light(level).strip() == ""


def test_a_light_names_its_level_and_whether_the_clock_is_paused():
    assert light("green") == (
        '<span class="warning-light warning-light-green" data-warning="green" title="On time">'
        '<span class="warning-dot" aria-hidden="true">●</span> '
        '<span class="warning-label small">On time</span></span>\n')
    assert light("red", paused=True, language="zh-hans") == (
        '<span class="warning-light warning-light-red is-paused" data-warning="red" '
        'title="已超期 · 暂停计时中"><span class="warning-dot" aria-hidden="true">●</span> '
        '<span class="warning-label small">已超期</span> '
        '<span class="small text-body-secondary">(已暂停)</span></span>\n')


def test_an_unknown_level_is_shown_escaped():
    html = light('x"><script>')
    assert "<script>" not in html
    assert 'data-warning="x&quot;&gt;&lt;script&gt;"' in html
