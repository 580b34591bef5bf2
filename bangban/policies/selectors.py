"""Reads of the policy library: the public list and search, one policy, a case's policies."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from bangban.policies.models import CasePolicy, Policy, PolicyTag


def published_policies():
    return Policy.objects.filter(is_published=True).prefetch_related("tags")


def search_policies(*, query="", tag=None):
    """Published policies whose title, summary, full text, issuing body or document number
    contain every word of `query`, optionally with one tag; plain `icontains`, so it behaves
    the same on SQLite and PostgreSQL."""
    policies = published_policies()
    for word in query.split():
        policies = policies.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
            | Q(issuing_body__icontains=word) | Q(document_number__icontains=word)
        )
    if tag is not None:
        policies = policies.filter(tags=tag)
    return policies


def tags_in_use():
    return PolicyTag.objects.filter(policies__is_published=True).distinct()


def get_published_policy(pk):
    return get_object_or_404(published_policies(), pk=pk)


def policies_of_case(case):
    return (CasePolicy.objects.filter(case=case).select_related("policy", "added_by")
            .prefetch_related("policy__tags"))
