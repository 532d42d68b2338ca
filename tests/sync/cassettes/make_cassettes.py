"""Write the vcrpy cassettes of tests/sync/cassettes/ from the documented example responses.

The examples are those of ``../shared/omnidesk-api.md`` (copied there from the official docs and from
palachX/laravel-omnidesk fixtures), on the invented host example.omnidesk.ru, with no credentials and no real
personal data. Run ``python tests/sync/cassettes/make_cassettes.py`` after changing an example here; a test
fails when the committed cassettes and this script disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

HOST = "https://example.omnidesk.ru"
HERE = Path(__file__).parent
RATE_HEADERS = {"rate_limit_per_minute": ["50"], "api_calls_left": ["49"]}

MACROS = {
    "common": {"0": {"title": "Без категории", "sort": 99999, "macros_category_id": 0, "data": {"196529": {
        "title": "Требуется помощь бухгалтерии", "position": 0, "group_name": "Общие вопросы", "actions": [
            {"macro_action_id": 866678, "action_type": "add_note", "action_display_name": "Добавить заметку",
             "action_destination": "",
             "content": "<notify rel=\"g81765\">@Вопросы по оплате</notify> нужна помощь бухгалтерии",
             "subject": "", "position": 1},
            {"macro_action_id": 866679, "action_type": "group_id", "action_display_name": "Выставить группу",
             "action_destination": "81765", "content": "", "subject": "", "position": 2}]}}}},
    "personal": [],
}

CUSTOM_FIELDS = {
    "0": {"custom_field": {"field_id": 5, "title": "Field title 1", "field_type": "text",
                           "field_level": "user", "active": True, "field_data": ""}},
    "3": {"custom_field": {"field_id": 9, "title": "Field title 4", "field_type": "select",
                           "field_level": "case", "active": True,
                           "field_data": {"1": "First choice", "2": "Second choice", "3": "Third choice"}}},
    "total_count": 10,
}

LABELS = {"0": {"label": {"label_id": 200, "label_title": "Test title"}}, "total_count": 1}

GROUPS = {
    "0": {"group": {"group_id": 200, "group_title": "Test group 1", "group_from_name": "Test group 1 from name",
                    "group_signature": "Test group 1 signature", "active": True,
                    "created_at": "Mon, 06 May 2014 00:15:17 +0300", "updated_at": "Mon, 06 May 2014 00:15:17 +0300"}},
    "1": {"group": {"group_id": 202, "group_title": "Test group 2", "group_from_name": "Test group 2 from name",
                    "group_signature": "Test group 2 signature", "active": False,
                    "created_at": "Mon, 05 May 2014 00:15:17 +0300", "updated_at": "Mon, 05 May 2014 00:15:17 +0300"}},
    "total_count": 2,
}

CASE = {"case": {
    "case_id": 2000, "case_number": "664-245651", "subject": "Test subject", "user_id": 123, "staff_id": 22,
    "group_id": 44, "status": "open", "priority": "normal", "channel": "web", "recipient": "user@example.com",
    "cc_emails": "", "bcc_emails": "", "deleted": False, "spam": False,
    "created_at": "Mon, 05 May 2014 00:15:17 +0300", "updated_at": "Mon, 05 May 2014 00:15:17 +0300",
    "closed_at": "-", "last_response_at": "Mon, 05 May 2014 00:15:17 +0300", "closing_speed": "-",
    "language_id": 1, "custom_fields": {"cf_20": "some data", "cf_23": True}, "labels": [101, 102],
    "locked_labels": [], "rating": "", "rating_comment": "", "rated_staff_id": 0,
}}

NOTE = {"message": {
    "message_id": 2000, "user_id": 0, "staff_id": 22, "content": "Test note", "content_html": "<p>Test note</p>",
    "attachments": [{"file_id": 345, "file_name": "contract.pdf", "file_size": 40863, "mime_type": "application/pdf",
                     "url": "https://example.omnidesk.ru/some_path_here/345"}],
    "note": True, "created_at": "Mon, 05 May 2014 00:15:17 +0300",
}}


def interaction(method: str, path: str, status: int, body: Any, *, extra: dict[str, list[str]] | None = None) -> dict:
    text = "" if body is None else json.dumps(body, ensure_ascii=False)
    headers = {"Content-Type": ["application/json"], **RATE_HEADERS, **(extra or {})}
    return {
        "request": {"body": None, "headers": {}, "method": method, "uri": f"{HOST}/api/{path}"},
        "response": {"status": {"code": status, "message": ""}, "headers": headers, "body": {"string": text}},
    }


CASSETTES: dict[str, list[dict]] = {
    "macros_list": [interaction("GET", "macros.json", 200, MACROS)],
    "custom_fields_list": [interaction("GET", "custom_fields.json?page=1&limit=100", 200, CUSTOM_FIELDS)],
    "labels_list": [interaction("GET", "labels.json?page=1&limit=100", 200, LABELS)],
    "groups_list": [interaction("GET", "groups.json?page=1&limit=100", 200, GROUPS)],
    "case_get": [interaction("GET", "cases/2000.json", 200, CASE)],
    "note_with_file": [interaction("POST", "cases/2000/note.json", 201, NOTE)],
    "user_email_taken": [interaction("POST", "users.json", 400, {"error": "email_already_exist"})],
}


def render(name: str) -> str:
    return yaml.safe_dump({"interactions": CASSETTES[name], "version": 1}, allow_unicode=True, sort_keys=False)


def main() -> int:
    for name in CASSETTES:
        (HERE / f"{name}.yaml").write_text(render(name), encoding="utf-8")
    print(f"wrote {len(CASSETTES)} cassettes to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
