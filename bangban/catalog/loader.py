"""Load the approval-item catalog from its TOML file (by default the bundled `data/catalog.toml`).

The whole file is checked before anything is written, so a bad file changes nothing and its
author sees every problem at once. Writing happens in one transaction and touches only rows
that differ from the file, so loading the same file again changes nothing.
"""

import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.accounts.models import DepartmentKind
from bangban.catalog.models import (
    DefaultItem,
    LimitBasis,
    LimitUnit,
    Matter,
    MatterMaterial,
    Stage,
)
from bangban.core.errors import DomainError
from bangban.projects.models import Category

DEFAULT_CATALOG_FILE = Path(__file__).resolve().parent / "data" / "catalog.toml"

# PositiveSmallIntegerField's range on every supported database.
_NUMBER_MAX = 32767


class CatalogError(DomainError):
    """The catalog file cannot be loaded; `errors` holds one line per problem found."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class _Field:
    kind: str  # "text", "number" or "texts" (a list of texts)
    required: bool = True
    max_length: int | None = None
    choices: tuple[str, ...] = ()


def _text(model, name, *, required=True):
    return _Field("text", required, model._meta.get_field(name).max_length)


def _choice(choices):
    return _Field("text", choices=tuple(choices.values))


def _texts(model, name, *, required=True):
    return _Field("texts", required, model._meta.get_field(name).max_length)


_NUMBER = _Field("number")

_STAGE_FIELDS = {"code": _NUMBER, "name": _text(Stage, "name")}

_MATTER_FIELDS = {
    "code": _text(Matter, "code"),
    "name": _text(Matter, "name"),
    "stage": _NUMBER,
    "department_kind": _choice(DepartmentKind),
    "department_note": _text(Matter, "department_note"),
    "legal_limit": _NUMBER,
    "legal_limit_unit": _choice(LimitUnit),
    "legal_limit_basis": _choice(LimitBasis),
    "promised_limit": _NUMBER,
    "promised_limit_unit": _choice(LimitUnit),
    "promised_limit_basis": _choice(LimitBasis),
    "limit_note": _text(Matter, "limit_note", required=False),
    "materials": _texts(MatterMaterial, "name"),
    "prerequisites": _texts(Matter, "code", required=False),
    "sequence_note": _text(Matter, "sequence_note", required=False),
    "parallel_group": _text(Matter, "parallel_group", required=False),
    "applicability_note": _text(Matter, "applicability_note", required=False),
}

# The fields copied onto Matter as they are; the rest need a lookup or a related table.
_MATTER_VALUE_FIELDS = tuple(
    name for name in _MATTER_FIELDS if name not in {"code", "stage", "materials", "prerequisites"}
)

_DEFAULT_ITEM_FIELDS = {
    "matter": _text(Matter, "code"),
    "condition_note": _text(DefaultItem, "condition_note", required=False),
}

_TOP_LEVEL_KEYS = ("stages", "matters", "default_items")


@dataclass(frozen=True)
class Catalog:
    """A checked catalog file."""

    stages: dict[int, str]  # code → name
    matters: dict[str, dict]  # code → fields as in the file, optional ones filled in
    default_items: dict[str, list[tuple[str, str]]]  # category → [(matter code, condition)]


@dataclass(frozen=True)
class LoadSummary:
    stages: int
    matters: int
    materials: int
    default_items: int
    # Stages and matters; a matter counts as updated when its fields, materials or
    # prerequisites changed.
    created: int
    updated: int
    deactivated: int
    default_sets_replaced: int


def load_catalog(path=DEFAULT_CATALOG_FILE) -> LoadSummary:
    """Check the catalog file at `path`, then make the database match it.

    Raises CatalogError, having written nothing, when the file has any problem.
    """
    return _write(read_catalog(path))


def read_catalog(path) -> Catalog:
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(
            [_("could not read %(path)s: %(error)s") % {"path": path, "error": exc}]
        ) from exc
    checker = _Checker(path.name)
    catalog = checker.check(data)
    if checker.errors:
        raise CatalogError(checker.errors)
    return catalog


class _Checker:
    def __init__(self, file_label):
        self.file_label = file_label
        self.errors = []

    def report(self, entry, problem):
        self.errors.append(_("%(entry)s: %(problem)s") % {"entry": entry, "problem": problem})

    def check(self, data):
        for key in data:
            if key not in _TOP_LEVEL_KEYS:
                self.report(self.file_label, _('unknown key "%(key)s"') % {"key": key})
        raw_stages = self._table_list(data, "stages")
        raw_matters = self._table_list(data, "matters")
        # References are checked against every code the file declares, valid entry or not,
        # so one broken matter does not also show up as "unknown" wherever it is named.
        stage_codes = {_code_of(raw, int) for raw in raw_stages} - {None}
        matter_codes = {_code_of(raw, str) for raw in raw_matters} - {None}
        stages = self._stages(raw_stages)
        matters = self._matters(raw_matters, stage_codes, matter_codes)
        default_items = self._default_items(data, matter_codes)
        return Catalog(stages, matters, default_items)

    def _table_list(self, data, key):
        if key not in data:
            self.report(self.file_label, _('missing required field "%(field)s"') % {"field": key})
            return []
        value = data[key]
        if not isinstance(value, list):
            self.report(self.file_label, _('"%(field)s" must be a list of tables') % {"field": key})
            return []
        if not value:
            self.report(self.file_label, _('"%(field)s" must not be empty') % {"field": key})
        return value

    def _stages(self, raw_stages):
        stages = {}
        for number, raw in enumerate(raw_stages, start=1):
            code = _code_of(raw, int)
            label = (
                _("stage %(code)s") % {"code": code}
                if code is not None
                else _("stage no. %(number)s") % {"number": number}
            )
            entry = self._entry(raw, _STAGE_FIELDS, label)
            if entry is None:
                continue
            if entry["code"] in stages:
                self.report(label, _("duplicate code"))
                continue
            stages[entry["code"]] = entry["name"]
        return stages

    def _matters(self, raw_matters, stage_codes, matter_codes):
        matters = {}
        for number, raw in enumerate(raw_matters, start=1):
            code = _code_of(raw, str)
            label = (
                _('matter "%(code)s"') % {"code": code}
                if code is not None
                else _("matter no. %(number)s") % {"number": number}
            )
            entry = self._entry(raw, _MATTER_FIELDS, label)
            if entry is None:
                continue
            if entry["code"] in matters:
                self.report(label, _("duplicate code"))
                continue
            if entry["stage"] not in stage_codes:
                self.report(label, _unknown("stage", entry["stage"]))
            for prerequisite in entry["prerequisites"]:
                if prerequisite not in matter_codes:
                    self.report(label, _unknown("prerequisite", prerequisite))
            matters[entry["code"]] = entry
        graph = {
            code: [p for p in entry["prerequisites"] if p in matters]
            for code, entry in matters.items()
        }
        for cycle in _cycles(graph):
            self.report(
                _('matter "%(code)s"') % {"code": cycle[0]},
                _("prerequisite cycle %(cycle)s") % {"cycle": " → ".join(cycle)},
            )
        return matters

    def _default_items(self, data, matter_codes):
        label = "default_items"
        if label not in data:
            self.report(self.file_label, _('missing required field "%(field)s"') % {"field": label})
            return {}
        raw_sets = data[label]
        if not isinstance(raw_sets, dict):
            self.report(self.file_label, _('"%(field)s" must be a table') % {"field": label})
            return {}
        for category in raw_sets:
            if category not in Category.values:
                self.report(label, _unknown("category", category))
        default_items = {}
        for category in Category.values:
            if category not in raw_sets:
                self.report(label, _('missing category "%(category)s"') % {"category": category})
                continue
            items = raw_sets[category]
            if not isinstance(items, list):
                self.report(label, _('"%(field)s" must be a list of tables') % {"field": category})
                continue
            default_items[category] = []
            seen = set()
            for number, raw in enumerate(items, start=1):
                item_label = _('default item %(number)s of category "%(category)s"') % {
                    "number": number,
                    "category": category,
                }
                entry = self._entry(raw, _DEFAULT_ITEM_FIELDS, item_label)
                if entry is None:
                    continue
                matter = entry["matter"]
                if matter not in matter_codes:
                    self.report(item_label, _unknown("matter", matter))
                elif matter in seen:
                    self.report(
                        item_label,
                        _('matter "%(code)s" is already in this category') % {"code": matter},
                    )
                else:
                    seen.add(matter)
                    default_items[category].append((matter, entry["condition_note"]))
        return default_items

    def _entry(self, raw, fields, label):
        """The entry's fields with optional ones filled in, or None after reporting problems."""
        if not isinstance(raw, dict):
            self.report(label, _("must be a table"))
            return None
        errors_before = len(self.errors)
        for key in raw:
            if key not in fields:
                self.report(label, _('unknown key "%(key)s"') % {"key": key})
        entry = {}
        for name, field in fields.items():
            if name not in raw:
                if field.required:
                    self.report(label, _('missing required field "%(field)s"') % {"field": name})
                entry[name] = [] if field.kind == "texts" else ""
                continue
            problem = _field_problem(name, field, raw[name])
            if problem:
                self.report(label, problem)
            entry[name] = raw[name]
        return entry if len(self.errors) == errors_before else None


def _field_problem(name, field, value):
    if field.kind == "number":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _NUMBER_MAX:
            return _('"%(field)s" must be a whole number from 0 to %(max)s') % {
                "field": name,
                "max": _NUMBER_MAX,
            }
        return None
    if field.kind == "texts":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            return _('"%(field)s" must be a list of non-empty texts') % {"field": name}
        texts = value
    elif not isinstance(value, str):
        return _('"%(field)s" must be a text') % {"field": name}
    elif field.required and not value:
        return _('"%(field)s" must not be empty') % {"field": name}
    elif field.choices:
        return None if value in field.choices else _unknown(name, value)
    else:
        texts = [value]
    seen = set()
    for text in texts:
        if len(text) > field.max_length:
            return _('"%(field)s" is longer than %(max)s characters: "%(value)s"') % {
                "field": name,
                "max": field.max_length,
                "value": text,
            }
        if text in seen:
            return _('"%(field)s" lists "%(value)s" twice') % {"field": name, "value": text}
        seen.add(text)
    return None


def _unknown(field, value):
    return _('unknown %(field)s "%(value)s"') % {"field": field, "value": value}


def _code_of(raw, kind):
    code = raw.get("code") if isinstance(raw, dict) else None
    if kind is int:
        return code if isinstance(code, int) and not isinstance(code, bool) else None
    return code if isinstance(code, str) and code else None


def _cycles(graph):
    """Each prerequisite cycle once, as the codes along it with the first repeated at the end."""
    visiting, done, path, cycles = set(), set(), [], []

    def visit(code):
        visiting.add(code)
        path.append(code)
        for prerequisite in graph[code]:
            if prerequisite in visiting:
                cycles.append(path[path.index(prerequisite) :] + [prerequisite])
            elif prerequisite not in done:
                visit(prerequisite)
        path.pop()
        visiting.discard(code)
        done.add(code)

    for code in sorted(graph):
        if code not in done:
            visit(code)
    return cycles


@transaction.atomic
def _write(catalog: Catalog) -> LoadSummary:
    created = updated = 0

    stages = {stage.code: stage for stage in Stage.objects.all()}
    for code, name in catalog.stages.items():
        stage = stages.get(code)
        if stage is None:
            stages[code] = Stage.objects.create(code=code, name=name)
            created += 1
        elif stage.name != name:
            stage.name = name
            stage.save()
            updated += 1

    existing = {m.code: m for m in Matter.objects.prefetch_related("materials", "prerequisites")}
    matters, new_codes, changed_codes = {}, set(), set()
    for code, spec in catalog.matters.items():
        values = {name: spec[name] for name in _MATTER_VALUE_FIELDS}
        values |= {"stage_id": stages[spec["stage"]].pk, "is_active": True}
        matter = existing.get(code)
        if matter is None:
            matter = Matter.objects.create(code=code, **values)
            new_codes.add(code)
        else:
            differing = {name: v for name, v in values.items() if getattr(matter, name) != v}
            for name, value in differing.items():
                setattr(matter, name, value)
            if differing:
                matter.save()
                changed_codes.add(code)
        wanted_materials = _wanted_material_rows(spec)
        if code in new_codes or _material_rows(matter) != wanted_materials:
            matter.materials.all().delete()
            MatterMaterial.objects.bulk_create(
                MatterMaterial(matter=matter, position=position, name=name, is_required=required)
                for position, name, required in wanted_materials
            )
            changed_codes.add(code)
        matters[code] = matter

    for code, spec in catalog.matters.items():
        matter = matters[code]
        wanted = {matters[p].pk for p in spec["prerequisites"]}
        current = set() if code in new_codes else {p.pk for p in matter.prerequisites.all()}
        if wanted != current:
            matter.prerequisites.set(wanted)
            changed_codes.add(code)
    updated += len(changed_codes - new_codes)
    created += len(new_codes)

    deactivated = (
        Matter.objects.filter(is_active=True)
        .exclude(code__in=catalog.matters)
        .update(is_active=False, updated_at=timezone.now())
    )

    current_sets = defaultdict(list)
    for item in DefaultItem.objects.order_by("category", "position"):
        current_sets[item.category].append((item.position, item.matter_id, item.condition_note))
    default_sets_replaced = 0
    for category, items in catalog.default_items.items():
        wanted = [
            (position, matters[code].pk, note)
            for position, (code, note) in enumerate(items, start=1)
        ]
        if current_sets[category] != wanted:
            DefaultItem.objects.filter(category=category).delete()
            DefaultItem.objects.bulk_create(
                DefaultItem(category=category, position=position, matter_id=pk, condition_note=note)
                for position, pk, note in wanted
            )
            default_sets_replaced += 1

    return LoadSummary(
        stages=len(catalog.stages),
        matters=len(catalog.matters),
        materials=sum(len(spec["materials"]) for spec in catalog.matters.values()),
        default_items=sum(len(items) for items in catalog.default_items.values()),
        created=created,
        updated=updated,
        deactivated=deactivated,
        default_sets_replaced=default_sets_replaced,
    )


def _material_rows(matter):
    return sorted((m.position, m.name, m.is_required) for m in matter.materials.all())


def _wanted_material_rows(spec):
    return [(position, name, True) for position, name in enumerate(spec["materials"], start=1)]
