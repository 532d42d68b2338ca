"""Load ``templates_src/`` into models, collecting every problem as a positioned diagnostic.

Loading is forgiving: a broken file is reported and skipped, the rest still loads, so one
``validate`` run shows everything that needs fixing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostics
from .errors import SourceError
from .located_yaml import Located, YamlSyntaxError, parse_yaml
from .model import (
    APPEAL_TYPE_KEYS,
    CARD_FIELD_KEYS,
    CASE_STATUSES,
    CHANNELS,
    COMPANY_KEYS,
    OPTION_KEYS,
    STAFF_KEYS,
    TEMPLATE_KEYS,
    VARIABLE_KEYS,
    AppealType,
    CardField,
    CardOption,
    Company,
    Signatory,
    SourceSet,
    Template,
    Variable,
)
from .schema import check_mapping, report_duplicate_keys

APPEAL_TYPES_FILE = "appeal_types.yaml"
CARD_FILE = "card.yaml"
COMPANY_FILE = "company.yaml"
REPLIES_DIR = "replies"


def default_templates_dir() -> Path:
    """$OMNIDESK_TEMPLATES, else ./templates_src, else the templates_src shipped beside the package."""
    if os.environ.get("OMNIDESK_TEMPLATES"):
        return Path(os.environ["OMNIDESK_TEMPLATES"])
    local = Path("templates_src")
    if local.is_dir():
        return local
    return Path(__file__).resolve().parent.parent / "templates_src"


def display_path(path: Path) -> str:
    """The path as a person would type it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def read_text(path: Path, diags: Diagnostics) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        diags.error(display_path(path), 1, 1, "file is missing")
        return None
    except UnicodeDecodeError as exc:
        diags.error(display_path(path), 1, exc.start + 1, "file is not UTF-8 text", "save it as UTF-8")
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n")


def load_yaml_file(path: Path, diags: Diagnostics, line_offset: int = 0, text: str | None = None) -> Located | None:
    file = display_path(path)
    if text is None:
        text = read_text(path, diags)
        if text is None:
            return None
    try:
        doc = parse_yaml(text, line_offset)
    except YamlSyntaxError as exc:
        diags.error(file, exc.line, exc.col, exc.message)
        return None
    report_duplicate_keys(doc, file, diags)
    return doc


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, 1-based line where the body starts), or None when there is none."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    return None


def load_template(path: Path, diags: Diagnostics) -> Template | None:
    file = display_path(path)
    text = read_text(path, diags)
    if text is None:
        return None
    parts = split_front_matter(text)
    if parts is None:
        diags.error(file, 1, 1, "no front matter", "start the file with a '---' line, the YAML keys, and another '---'")
        return None
    front, body, body_line = parts
    doc = load_yaml_file(path, diags, line_offset=1, text=front)
    if doc is None:
        return None
    data = check_mapping(doc, (), TEMPLATE_KEYS, file, diags, "front matter")
    if data is None:
        return None
    variables = _variables(doc, file, diags)
    template_id = str(data.get("id") or path.stem)
    channels = _string_list(doc, "channels", file, diags)
    for index, channel in enumerate(channels):
        if channel not in CHANNELS:
            line, col = doc.value_pos("channels", index)
            diags.error(file, line, col, f"unknown channel '{channel}'", f"use {' or '.join(CHANNELS)}")
    status_after = data.get("status_after")
    if status_after is not None and "reply" not in channels:
        line, col = doc.value_pos("status_after")
        diags.warning(file, line, col, "status_after has no effect: only a macro sets a status, and this template "
                      "has no 'reply' channel", "add 'reply' to channels or remove status_after")
    return Template(
        id=template_id,
        title=str(data.get("title") or template_id),
        appeal_types=tuple(_string_list(doc, "appeal_types", file, diags)),
        channels=tuple(c for c in channels if c in CHANNELS),
        variables=tuple(variables),
        body=body,
        path=path,
        body_line=body_line,
        text=text,
        source=str(data.get("source") or ""),
        status_after=str(status_after) if status_after in CASE_STATUSES else None,
    )


def _string_list(doc: Located, key: str, file: str, diags: Diagnostics) -> list[str]:
    value = doc.data.get(key) if isinstance(doc.data, dict) else None
    if not isinstance(value, list):
        return []
    items = []
    for index, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            items.append(item.strip())
        else:
            line, col = doc.value_pos(key, index)
            diags.error(file, line, col, f"'{key}' items must be strings")
    return items


def _variables(doc: Located, file: str, diags: Diagnostics) -> list[Variable]:
    raw = doc.data.get("variables") if isinstance(doc.data, dict) else None
    if not isinstance(raw, dict):
        return []
    variables = []
    for name in raw:
        what = f"variable '{name}'"
        if not str(name).isidentifier() or not str(name).isascii():
            line, col = doc.key_pos("variables", str(name))
            diags.error(file, line, col, f"variable name '{name}' is not a valid identifier",
                        "use lowercase ASCII letters, digits and _, e.g. recalc_month")
            continue
        spec = check_mapping(doc, ("variables", name), VARIABLE_KEYS, file, diags, what)
        if spec is None:
            continue
        variables.append(Variable(
            name=str(name),
            label=str(spec.get("label") or name),
            type=str(spec.get("type") or "text"),
            default=None if spec.get("default") is None else str(spec["default"]),
            required=bool(spec.get("required", True)),
            line=doc.key_pos("variables", str(name))[0],
            col=doc.key_pos("variables", str(name))[1],
        ))
    return variables


def _list_of_mappings(
    path: Path, top_key: str, schema: dict[str, Any], what: str, diags: Diagnostics
) -> list[tuple[Located, int, dict[str, Any]]]:
    """Entries of ``top_key:`` in a YAML file, each checked against ``schema``."""
    doc = load_yaml_file(path, diags)
    if doc is None:
        return []
    file = display_path(path)
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get(top_key), list):
        diags.error(file, 1, 1, f"expected a top-level '{top_key}:' list")
        return []
    out = []
    for index, _ in enumerate(doc.data[top_key]):
        entry = check_mapping(doc, (top_key, index), schema, file, diags, f"{what} #{index + 1}")
        if entry is not None:
            out.append((doc, index, entry))
    return out


def load_appeal_types(root: Path, diags: Diagnostics) -> list[tuple[AppealType, int]]:
    found = []
    for doc, index, entry in _list_of_mappings(root / APPEAL_TYPES_FILE, "appeal_types", APPEAL_TYPE_KEYS,
                                               "appeal type", diags):
        if entry.get("id") and entry.get("title"):
            kind = AppealType(str(entry["id"]), str(entry["title"]), str(entry.get("source") or ""))
            found.append((kind, doc.value_pos("appeal_types", index, "id")[0]))
    return found


def load_card(root: Path, diags: Diagnostics) -> list[tuple[CardField, dict[str, tuple[int, int]]]]:
    """Card fields, each with the position of every key it has (for pointing at a bad value)."""
    path = root / CARD_FILE
    file = display_path(path)
    found = []
    for doc, index, entry in _list_of_mappings(path, "fields", CARD_FIELD_KEYS, "card field", diags):
        if not (entry.get("id") and entry.get("title") and entry.get("level") and entry.get("type")):
            continue
        options = []
        for opt_index, option in enumerate(entry.get("options") or []):
            if isinstance(option, str):
                options.append(CardOption(option))
                continue
            opt = check_mapping(doc, ("fields", index, "options", opt_index), OPTION_KEYS, file, diags,
                                f"option #{opt_index + 1} of field '{entry['id']}'")
            if opt and opt.get("title"):
                options.append(CardOption(str(opt["title"]), None if opt.get("value") is None else str(opt["value"])))
        found.append((CardField(
            id=str(entry["id"]), title=str(entry["title"]), level=str(entry["level"]), type=str(entry["type"]),
            builtin=entry.get("builtin"), context=entry.get("context"), options=tuple(options),
            options_from=entry.get("options_from"), note=str(entry.get("note") or ""),
            required=bool(entry.get("required", False)),
        ), {key: doc.value_pos("fields", index, key) for key in entry}))
    return found


def load_company(root: Path, diags: Diagnostics) -> tuple[Company | None, list[Signatory]]:
    path = root / COMPANY_FILE
    file = display_path(path)
    doc = load_yaml_file(path, diags)
    if doc is None:
        return None, []
    if not isinstance(doc.data, dict):
        diags.error(file, 1, 1, "expected 'company:' and 'staff:' mappings")
        return None, []
    for key in doc.data:
        if key not in ("company", "staff"):
            line, col = doc.key_pos(str(key))
            diags.error(file, line, col, f"unknown key '{key}'", "known keys: company, staff")
    company = None
    data = check_mapping(doc, ("company",), COMPANY_KEYS, file, diags, "company") if "company" in doc.data else None
    if "company" not in doc.data:
        diags.error(file, 1, 1, "missing required key 'company'")
    if data is not None and all(data.get(k) for k in ("name", "short_name", "address", "phone")):
        logo = None
        if data.get("logo"):
            logo = root / str(data["logo"])
            if not logo.is_file():
                line, col = doc.value_pos("company", "logo")
                diags.error(file, line, col, f"logo file '{data['logo']}' does not exist",
                            "the path is relative to the templates folder")
        company = Company(
            name=str(data["name"]), short_name=str(data["short_name"]), address=str(data["address"]),
            phone=str(data["phone"]), brand=str(data.get("brand") or ""), fax=str(data.get("fax") or ""),
            site=str(data.get("site") or ""), email=str(data.get("email") or ""), logo=logo,
        )
    staff = []
    if isinstance(doc.data.get("staff"), list):
        for index, _ in enumerate(doc.data["staff"]):
            entry = check_mapping(doc, ("staff", index), STAFF_KEYS, file, diags, f"staff member #{index + 1}")
            if entry and entry.get("short_name") and entry.get("position"):
                staff.append(Signatory(str(entry["short_name"]), str(entry["position"]),
                                       str(entry.get("full_name") or ""), str(entry.get("email") or "")))
    return company, staff


def load_templates_dir(root: Path, diags: Diagnostics) -> list[Template]:
    folder = root / REPLIES_DIR
    if not folder.is_dir():
        diags.error(display_path(folder), 1, 1, "folder of reply templates is missing")
        return []
    templates = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".md" and path.is_file():
            template = load_template(path, diags)
            if template is not None:
                templates.append(template)
        elif not path.name.startswith("."):
            diags.warning(display_path(path), 1, 1, "not a template (only .md files are read)")
    return templates


@dataclass(frozen=True)
class Loaded:
    """What load_raw found, with the positions validation needs to point at entries."""

    appeal_types: list[tuple[AppealType, int]]  # with the line of each id
    card: list[tuple[CardField, dict[str, tuple[int, int]]]]  # with the position of each key
    templates: list[Template]  # every template file that parsed, duplicates included


def load_raw(root: Path, diags: Diagnostics) -> tuple[SourceSet, Loaded]:
    """Everything loadable, plus the positions validation needs to point at entries."""
    if not root.is_dir():
        raise SourceError(f"templates folder '{root}' does not exist")
    kinds = load_appeal_types(root, diags)
    card = load_card(root, diags)
    company, staff = load_company(root, diags)
    templates = load_templates_dir(root, diags)
    sources = SourceSet(
        root=root,
        templates={t.id: t for t in templates},
        appeal_types=tuple(k for k, _ in kinds),
        card=tuple(f for f, _ in card),
        company=company,
        staff=tuple(staff),
    )
    return sources, Loaded(kinds, card, templates)

