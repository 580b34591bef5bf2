from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

# The top navigation's links (templates/partials/_nav.html), by the name the layout uses.
NAVIGATION_URL_NAMES = {
    "workbench": "portal:workbench",
    "inbox": "notifications:inbox",
    "login": "accounts:login",
    "logout": "accounts:logout",
    "password_change": "accounts:password_change",
    "supervision": "supervision:list",
    "dashboard": "dashboards:dashboard",
    "consultations": "consultations:list",
    "visits": "visits:list",
    "visit_statistics": "visits:statistics",
    "key_ledger": "projects:key_ledger",
    "problems": "problems:list",
    "evaluations_pending": "evaluations:pending",
    "evaluations": "evaluations:list",
    "meetings": "meetings:list",
    "statistics": "reporting:statistics",
    "audit": "audit:list",
    "contact_card": "public:edit_card",
    "administration": "admin:index",
    "public_home": "public:home",
    "public_catalog": "public:catalog",
    "policies": "policies:list",
    "directory": "public:directory",
    "progress": "public:progress",
    "set_language": "set_language",
}


@lru_cache(maxsize=16)
def _navigation_urls(script_prefix, urlconf):
    # Every page shows the navigation, and reversing its two dozen links cost more than the
    # rest of the layout; they change only with the URL configuration and the script prefix.
    return {key: reverse(name, urlconf=urlconf) for key, name in NAVIGATION_URL_NAMES.items()}


def navigation(request):
    return {"nav_urls": _navigation_urls(get_script_prefix(), get_urlconf())}
