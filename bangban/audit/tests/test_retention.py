"""Retention: the worker deletes only events past BANGBAN_AUDIT_KEEP_DAYS, never fewer than 180."""

import datetime
import runpy
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils import timezone

from bangban.audit.jobs import prune_audit_events
from bangban.audit.models import AuditEvent, AuditKind
from bangban.audit.services import prune_events, record

BASE_SETTINGS = Path(django_settings.BASE_DIR) / "config" / "settings" / "base.py"
NOW = timezone.make_aware(datetime.datetime(2026, 11, 24, 12, 0))


def event_aged(days):
    event = record(AuditKind.LOGIN_FAILED, username=f"aged-{days}")
    # `at` is set on insert; the queryset's own update is refused, so go below it.
    QuerySet.update(AuditEvent.objects.filter(pk=event.pk),
                    at=NOW - datetime.timedelta(days=days))
    return event


@pytest.mark.django_db
def test_pruning_keeps_180_days_and_deletes_only_older_events(settings):
    settings.AUDIT_KEEP_DAYS = 180
    kept = [event_aged(0), event_aged(179), event_aged(180)]
    event_aged(181), event_aged(400)

    assert prune_audit_events(now=NOW) == 2

    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {e.pk for e in kept}
    assert prune_audit_events(now=NOW) == 0


@pytest.mark.django_db
def test_pruning_works_in_batches_so_each_round_stays_short(settings):
    settings.AUDIT_KEEP_DAYS = 365
    for days in (400, 401, 402):
        event_aged(days)
    recent = event_aged(10)

    assert prune_events(now=NOW, limit=2) == 2
    assert prune_events(now=NOW, limit=2) == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_default_keeps_a_year():
    assert django_settings.AUDIT_KEEP_DAYS == 365


def test_the_pruning_job_is_registered_with_the_worker():
    assert "bangban.audit.jobs.prune_audit_events" in django_settings.BANGBAN_WORKER_JOBS


def test_a_retention_below_180_days_stops_start_up(monkeypatch):
    monkeypatch.setenv("BANGBAN_AUDIT_KEEP_DAYS", "90")

    with pytest.raises(ImproperlyConfigured, match="BANGBAN_AUDIT_KEEP_DAYS=90 is too short"):
        runpy.run_path(str(BASE_SETTINGS))


def test_a_retention_of_180_days_is_accepted(monkeypatch):
    monkeypatch.setenv("BANGBAN_AUDIT_KEEP_DAYS", "180")

    assert runpy.run_path(str(BASE_SETTINGS))["AUDIT_KEEP_DAYS"] == 180
