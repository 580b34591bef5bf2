"""The Simplified Chinese interface is complete, current and actually shown.

The catalogue `locale/zh_Hans/LC_MESSAGES/django.po` (and its compiled `.mo`, both committed)
must translate every message of the source, with no fuzzy entries and the same placeholders;
the pages must show the translations, and English when the user switches to English.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from bangban.accounts.models import Role
from bangban.cases.workflow import CaseState, ItemState
from tests.factories import CaseFactory, CaseItemFactory, MembershipFactory

ROOT = Path(settings.BASE_DIR)
LOCALE_DIR = ROOT / "locale"
PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# The directories `makemessages` is told to skip (README / the .po header give the command).
IGNORED_DIRS = {".venv", "var", "node_modules"}
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib", "msgfmt")


# ------------------------------------------------------------------------ reading a .po file


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict = field(default_factory=dict)  # index -> text; 0 for a singular msgstr
    flags: set = field(default_factory=set)

    @property
    def key(self):
        return (self.msgctxt, self.msgid)

    @property
    def name(self):
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"{self.msgid!r}{context}"

    def __str__(self):
        return f"line {self.line}: {self.name}"


@dataclass
class Catalog:
    header: Entry
    entries: list
    obsolete_lines: list


def _unquote(text, path, number):
    text = text.strip()
    if not (len(text) >= 2 and text[0] == text[-1] == '"'):
        raise AssertionError(f"{path}:{number}: not a quoted string: {text}")
    return ast.literal_eval(text)  # PO escapes (\n \t \" \\) are Python's too


def read_po(path):
    """A small PO reader: contexts, plurals, flags, continuation lines, obsolete entries."""
    entries, obsolete = [], []
    entry, target = None, None

    def finish():
        nonlocal entry, target
        if entry is not None:
            entries.append(entry)
        entry, target = None, None

    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            obsolete.append(number)
            continue
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if target is None:
                raise AssertionError(f"{path}:{number}: a string outside any keyword")
            kind, index = target
            text = _unquote(line, path, number)
            if kind == "msgstr":
                entry.msgstr[index] += text
            else:
                setattr(entry, kind, getattr(entry, kind) + text)
        else:
            keyword, _, rest = line.partition(" ")
            text = _unquote(rest, path, number)
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match[1]))
                entry.msgstr[target[1]] = text
            elif keyword == "msgstr":
                target = ("msgstr", 0)
                entry.msgstr[0] = text
            elif keyword in ("msgid", "msgctxt", "msgid_plural"):
                target = (keyword, None)
                setattr(entry, keyword, text)
            else:
                raise AssertionError(f"{path}:{number}: unknown keyword {keyword!r}")
    finish()
    headers = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(headers) == 1, f"{path}: expected one header entry, found {len(headers)}"
    return Catalog(header=headers[0], entries=[e for e in entries if e not in headers],
                   obsolete_lines=obsolete)


@pytest.fixture(scope="module")
def catalog():
    return read_po(PO)


# ------------------------------------------------------------------ the committed catalogue


def test_the_catalogue_header_is_for_simplified_chinese(catalog):
    header = catalog.header.msgstr[0]
    assert "Language: zh_Hans\n" in header
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header
    assert "charset=UTF-8" in header
    assert "fuzzy" not in catalog.header.flags


def test_every_entry_is_translated_and_none_is_fuzzy(catalog):
    assert len(catalog.entries) > 500  # the reader really read the catalogue
    fuzzy = [str(e) for e in catalog.entries if "fuzzy" in e.flags]
    untranslated = [str(e) for e in catalog.entries
                    if not e.msgstr or any(not text.strip() for text in e.msgstr.values())]
    assert not fuzzy, "fuzzy entries:\n" + "\n".join(fuzzy)
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)
    assert not catalog.obsolete_lines, (
        f"obsolete (#~) entries at lines {catalog.obsolete_lines}; run makemessages "
        "with --no-obsolete"
    )


def test_plural_entries_have_exactly_the_one_chinese_form(catalog):
    for entry in catalog.entries:
        if entry.msgid_plural is not None:
            assert set(entry.msgstr) == {0}, str(entry)


PLACEHOLDER = re.compile(
    r"%\((?P<named>\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]"  # %(name)s
    r"|%[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]"                    # %s, %d
    r"|\{\w*(?:![rsa])?(?::[^{}]*)?\}"                          # {name}, {}
)


def _placeholders(text):
    return sorted(m[0] for m in PLACEHOLDER.finditer(text.replace("%%", "")))


def test_translations_keep_the_placeholders_and_markup(catalog):
    problems = []
    for entry in catalog.entries:
        for text in entry.msgstr.values():
            # Chinese has one form; for a plural entry it carries what the plural msgid carries.
            source = entry.msgid if entry.msgid_plural is None else entry.msgid_plural
            if _placeholders(source) != _placeholders(text):
                problems.append(f"{entry}: {_placeholders(source)} != {_placeholders(text)}")
            if sorted(re.findall(r"</?\w+", source)) != sorted(re.findall(r"</?\w+", text)):
                problems.append(f"{entry}: HTML tags differ")
            if source.endswith("\n") != text.endswith("\n"):
                problems.append(f"{entry}: trailing newline differs")
    assert not problems, "\n".join(problems)


def test_chinese_translations_are_chinese(catalog):
    """A msgstr copied from the msgid (or left in English) is caught, not only an empty one."""
    latin_only = [
        str(e) for e in catalog.entries
        if re.search(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", e.msgid))
        and not any(re.search(r"[\u4e00-\u9fff]", text) for text in e.msgstr.values())
    ]
    assert not latin_only, "translations without any Chinese:\n" + "\n".join(latin_only)


def _require_gettext_tools():
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:  # scripts/test.sh installs Debian's gettext
        pytest.fail(f"GNU gettext is not installed (missing {', '.join(missing)}); "
                    "run scripts/test.sh or apt-get install gettext")


def test_msgfmt_accepts_the_catalogue_and_counts_no_untranslated_message(tmp_path):
    _require_gettext_tools()
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(PO)],
        capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages\.", statistics), statistics


def test_the_committed_mo_is_compiled_from_the_committed_po(tmp_path):
    _require_gettext_tools()
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(PO)], check=True)
    with MO.open("rb") as committed, fresh.open("rb") as compiled:
        committed_catalog = gettext.GNUTranslations(committed)._catalog
        compiled_catalog = gettext.GNUTranslations(compiled)._catalog
    stale = sorted(
        str(key) for key in committed_catalog.keys() ^ compiled_catalog.keys()
        | {k for k in committed_catalog.keys() & compiled_catalog.keys()
           if committed_catalog[k] != compiled_catalog[k]}
    )
    assert not stale, ("the committed django.mo differs from django.po; run compilemessages. "
                       f"First differences: {stale[:10]}")


# --------------------------------------------------------- the catalogue matches the source


def _copy_sources(destination):
    """The files makemessages reads (.py, .html, .txt) outside the ignored directories.

    makemessages, run in the project root, writes into the `locale` directory it finds there
    whatever LOCALE_PATHS says (a source file is assigned to the nearest `locale` directory
    above it), and it writes preprocessed `<template>.py` files next to each template. Running
    it on a copy keeps the working tree untouched.
    """
    count = 0
    for directory, subdirectories, files in os.walk(ROOT):
        here = Path(directory)
        subdirectories[:] = [
            name for name in subdirectories
            if not name.startswith(".") and name != "__pycache__"
            and not (here == ROOT and (name in IGNORED_DIRS or name == "locale"))
        ]
        for name in files:
            if Path(name).suffix in {".py", ".html", ".txt"} and not name.startswith("."):
                target = destination / (here / name).relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(here / name, target)
                count += 1
    return count


def test_the_catalogue_has_exactly_the_messages_of_the_source(tmp_path, monkeypatch, catalog):
    _require_gettext_tools()
    before = (PO.read_bytes(), PO.stat().st_mtime_ns, sorted(LOCALE_DIR.rglob("*")))
    source = tmp_path / "src"
    assert _copy_sources(source) > 100
    locale = tmp_path / "locale"
    (locale / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copyfile(PO, locale / "zh_Hans" / "LC_MESSAGES" / "django.po")
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[str(locale)]):
        call_command("makemessages", locale=["zh_Hans"], ignore_patterns=sorted(IGNORED_DIRS),
                     no_obsolete=True, verbosity=0)

    regenerated = read_po(locale / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert (PO.read_bytes(), PO.stat().st_mtime_ns, sorted(LOCALE_DIR.rglob("*"))) == before, (
        "makemessages wrote into the project's locale directory"
    )
    assert not list(source.rglob("locale")), "makemessages wrote next to the sources"
    committed = {e.key: e for e in catalog.entries}
    current = {e.key: e for e in regenerated.entries}
    missing = sorted(current[k].name for k in current.keys() - committed.keys())
    unused = sorted(committed[k].name for k in committed.keys() - current.keys())
    assert not missing and not unused, (
        "locale/zh_Hans/LC_MESSAGES/django.po is out of date; run makemessages "
        "(see the .po header), translate, then compilemessages.\n"
        f"Missing from the catalogue ({len(missing)}):\n  " + "\n  ".join(missing)
        + f"\nNo longer in the source ({len(unused)}):\n  " + "\n  ".join(unused)
    )
    changed_plurals = sorted(committed[k].name for k in current
                             if current[k].msgid_plural != committed[k].msgid_plural)
    assert not changed_plurals, "plural msgids changed:\n" + "\n".join(changed_plurals)


# ------------------------------------------------------------------------- rendered pages


class _Text(HTMLParser):
    """The text a reader sees: text nodes and the attributes read aloud or shown on hover."""

    SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self):
        super().__init__()
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in self.SHOWN_ATTRIBUTES and value and value.strip():
                self.texts.append(value.strip())
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            self.texts.append((dict(attrs).get("value") or "").strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def shown_texts(response):
    assert response.status_code == 200, response.status_code
    parser = _Text()
    parser.feed(response.content.decode())
    return parser.texts


def shown(response):
    return "\n".join(shown_texts(response))


@pytest.fixture
def english_msgids(catalog):
    """Every msgid that the catalogue translates into something else."""
    return {e.msgid for e in catalog.entries if e.msgstr.get(0) not in (None, "", e.msgid)}


@pytest.fixture
def chief_world(db):
    chief = MembershipFactory(role=Role.CHIEF_SPECIALIST).user
    agency = chief.memberships.get().agency
    submitted = CaseFactory(submitted=True, agency=agency)
    running = CaseFactory(in_progress=True, agency=agency)
    CaseItemFactory(case=running, state=ItemState.PUSHED)
    return chief, submitted, running


def _pages(client, chief_world):
    chief, submitted, running = chief_world
    yield "login", client.get(reverse("accounts:login"))
    client.force_login(chief)
    yield "workbench", client.get(reverse("portal:workbench"))
    yield "case list", client.get(reverse("cases:list"))
    yield "case page", client.get(reverse("cases:detail", args=[running.pk]))


def _use_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_pages_are_in_chinese_by_default(client, chief_world):
    assert settings.LANGUAGE_CODE == "zh-hans"
    pages = dict(_pages(client, chief_world))
    login, workbench = shown(pages["login"]), shown(pages["workbench"])
    assert "登录" in login and "Log in" not in login
    for label, chinese in [("Submitted", "已提交"), ("case number", "服务事项编号"),
                           ("Workbench", "工作台"), ("Chief specialist", "首席服务专员")]:
        assert chinese in workbench, chinese
        assert label not in workbench, f"English {label!r} on the Chinese workbench"
    case_list = shown(pages["case list"])
    assert "服务事项" in case_list and "Cases" not in case_list
    case_page = shown(pages["case page"])
    assert "工作台账" in case_page and "Ledger" not in case_page
    assert "已推送审批部门" in case_page and "Pushed to department" not in case_page


def test_no_text_on_a_chinese_page_is_an_english_message(client, chief_world, english_msgids):
    leftovers = {
        name: sorted({text for text in shown_texts(response) if text in english_msgids})
        for name, response in _pages(client, chief_world)
    }
    assert not any(leftovers.values()), f"untranslated text shown: {leftovers}"


def test_pages_switch_to_english(client, chief_world):
    _use_english(client)
    pages = dict(_pages(client, chief_world))
    login, workbench = shown(pages["login"]), shown(pages["workbench"])
    assert "Log in" in login and "登录" not in login
    for label, chinese in [("Submitted", "已提交"), ("case number", "服务事项编号"),
                           ("Workbench", "工作台"), ("Chief specialist", "首席服务专员")]:
        assert label in workbench, label
        assert chinese not in workbench, f"Chinese {chinese!r} on the English workbench"
    assert "Cases" in shown(pages["case list"])
    assert "Ledger" in shown(pages["case page"])


def test_the_language_switcher_sets_english_and_back(client, chief_world):
    chief, _, _ = chief_world
    client.force_login(chief)
    url = reverse("portal:workbench")
    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "Workbench" in shown(client.get(url))
    client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    page = shown(client.get(url))
    assert "工作台" in page and "Workbench" not in page


def test_every_state_has_a_chinese_label():
    from django.utils import translation

    with translation.override("zh-hans"):
        labels = {str(label) for _, label in CaseState.choices + ItemState.choices}
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels


# ----------------------------------------------------------- no hard-coded English in templates


def _visible_template_text(source):
    source = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{#.*?#}", " ", source, flags=re.S)
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{%.*?%}|{{.*?}}", " ", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S | re.I)
    found = [m[3] for m in re.finditer(
        r"""\b(title|aria-label|placeholder|alt)=(["'])(.*?)\2""", source)]
    source = re.sub(r"<[^>]*>", " ", source, flags=re.S)
    source = re.sub(r"&(\w+|#\d+|#x[0-9a-fA-F]+);", " ", source)  # &rsaquo; &nbsp;
    found += source.splitlines()
    return [" ".join(text.split()) for text in found if re.search(r"[A-Za-z]{2,}", text)]


def test_templates_have_no_untranslated_english_text():
    offenders = {
        str(path.relative_to(ROOT)): texts
        for path in sorted([*(ROOT / "templates").rglob("*.html"),
                            *(ROOT / "bangban").glob("*/templates/**/*.html")])
        if (texts := _visible_template_text(path.read_text(encoding="utf-8")))
    }
    assert not offenders, (
        "English outside {% translate %} / {% blocktranslate %}: " + repr(offenders)
    )
