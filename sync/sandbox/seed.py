"""Believable, obviously invented demo data for a new sandbox.

Everything here is made up: names like «Иванов Пётр Петрович», addresses on «ул. Примерная», accounts like
«0000000001», emails at example.com. Staff have no position field in Omnidesk, so the sandbox writes it as the
second line of ``staff_signature`` ("name / position / company"), which is where a signature carries it.

Only part of the intake card exists as custom fields, on purpose: a later sync plan must have work to do.
The data is deterministic (fixed dates, fixed ids) so that tests can name what they expect.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..settings import SANDBOX_EMAIL
from ..wire import SAMARA, format_date
from .store import Store

BASE_TIME = datetime(2026, 11, 2, 9, 0, tzinfo=SAMARA)

LANGUAGES = [
    {"language_id": 1, "code": "РУС", "title": "Русский", "active": True},
    {"language_id": 2, "code": "ENG", "title": "English", "active": True},
]

GROUPS = [
    (101, "ЦОК — приём граждан"),
    (102, "Отдел продаж населению"),
    (103, "Вопросы по оплате"),
]

#: staff_id, email, full name, position (None: no signature)
STAFF = [
    (201, SANDBOX_EMAIL, "Администратор песочницы", None),
    (202, "n.samarina@example.com", "Самарина Наталья Николаевна", "Начальник отдела продаж населению"),
    (203, "o.kuznetsova@example.com", "Кузнецова Ольга Сергеевна", "Специалист ЦОК"),
    (204, "a.smirnov@example.com", "Смирнов Алексей Викторович", "Ведущий специалист ЦОК"),
]

#: user_id, full name, email, phone, account, address
USERS = [
    (301, "Иванов Пётр Петрович", "ivanov@example.com", "+79000000001", "0000000001", "г. Самара, ул. Примерная, д. 1, кв. 1"),
    (302, "Петрова Мария Ивановна", "petrova@example.com", "+79000000002", "0000000002", "г. Самара, ул. Примерная, д. 2, кв. 5"),
    (303, "Сидоров Иван Иванович", "sidorov@example.org", "+79000000003", "0000000003", "г. Самара, ул. Образцовая, д. 3, кв. 12"),
    (304, "Кузьмина Анна Сергеевна", "kuzmina@example.org", "+79000000004", "0000000004", "г. Самара, пр. Тестовый, д. 4, кв. 44"),
    (305, "Орлов Дмитрий Олегович", "orlov@example.com", "+79000000005", "0000000005", "г. Самара, ул. Вымышленная, д. 5"),
]

CF_ACCOUNT, CF_ADDRESS, CF_TOPIC, CF_CENTRE, CF_CRITERION = 1001, 1002, 1003, 1004, 1005
CENTRES = {
    1: "ул. Луначарского, 56",
    2: "пр. Металлургов, 56",
    3: "ул. Советской Армии, 146",
    4: "ул. Павла Маркина, 1",
    5: "ул. Бакинская, 22А",
}
TOPICS = {1: "Начисления и оплата", 2: "Подключение к сетям", 3: "Качество воды", 4: "Приборы учёта", 5: "Прочее"}
CRITERIA = {1: "первично", 2: "повторно", 3: "жалоба"}
CUSTOM_FIELDS = [
    (CF_ACCOUNT, "№ лицевого счета", "text", "user", ""),
    (CF_ADDRESS, "Адрес", "textarea", "user", ""),
    (CF_TOPIC, "Тип обращения", "select", "case", TOPICS),
    (CF_CENTRE, "Адрес ЦОК", "select", "case", CENTRES),
    (CF_CRITERION, "Критерий обращения", "select", "case", CRITERIA),
]

LABELS = [(401, "Личный приём"), (402, "Письменный ответ"), (403, "Печать письма"), (404, "Срочно")]

#: subject, topic option
SUBJECTS = [
    ("Перерасчёт за холодное водоснабжение", 1),
    ("Справка об отсутствии задолженности", 1),
    ("Замена прибора учёта", 4),
    ("Поверка прибора учёта", 4),
    ("Нет воды в доме", 5),
    ("Жёлтая вода из крана", 3),
    ("Подключение частного дома к водопроводу", 2),
    ("Двойное начисление за октябрь", 1),
    ("Переоформление лицевого счёта", 5),
    ("Опломбировка счётчика", 4),
    ("Запах в питьевой воде", 3),
    ("Технические условия на подключение", 2),
]
CASE_COUNT = 24
STATUSES = ("open", "waiting", "closed")

MACRO_CATEGORIES = [(11, "Начисления и оплата", 1), (12, "Приборы учёта", 2)]


SEEDED_PAYMENT_HTML = (
    "<p>Здравствуйте!</p>\n<p>Оплатить услуги ООО &laquo;СКС&raquo; без комиссии можно:</p>\n"
    "<ul>\n<li>в&nbsp;личном кабинете на сайте <b>samcomsys.ru</b>;</li>\n"
    "<li>в отделениях банков-партнёров:\n<ul><li>ПАО &laquo;Сбербанк&raquo; &mdash; через приложение;</li>"
    "<li>АО &laquo;Почта Банк&raquo; &amp; его терминалы;</li></ul></li>\n"
    "<li>в кассах ЦОК.</li>\n</ul>\n"
    "<p><i>Комиссия 0&nbsp;%</i> действует до конца года.<br />\nС уважением, ООО &laquo;СКС&raquo;</p>\n"
)
SEEDED_CENTRES_HTML = (
    "Здравствуйте!<br><br>Приём ведётся по адресам:<br>"
    "<table><tbody><tr><th>ЦОК</th><th>Часы</th></tr>"
    "<tr><td>ул. Луначарского, 56</td><td>пн&ndash;пт 8:00&ndash;17:00<br />сб 9:00&ndash;13:00</td></tr>"
    "<tr><td>пр. Металлургов, 56</td><td><strong>пн&ndash;пт</strong> 8:00&ndash;17:00</td></tr>"
    "</tbody></table>"
    "<p>Возьмите с собой:</p><ol><li>паспорт;</li><li>документ о праве собственности;</li>"
    "<li>показания прибора учёта на&nbsp;день обращения.</li></ol>"
    "<p>Обращение № [№ обращения] переведено в статус <em>&laquo;в ожидании&raquo;</em>.</p>"
)


def seed(store: Store) -> None:
    """Fill an empty store with the demo data, in one transaction."""
    with store.transaction():
        _seed_all(store)


def _seed_all(store: Store) -> None:
    for language in LANGUAGES:
        store.insert("language", "language_id", dict(language))
    stamp = format_date(BASE_TIME - timedelta(days=300))
    for group_id, title in GROUPS:
        store.insert("group", "group_id", {
            "group_id": group_id, "group_title": title, "group_from_name": "ООО «СКС»",
            "group_signature": f"{title}\nООО «СКС»", "active": True, "created_at": stamp, "updated_at": stamp,
        })
    for staff_id, email, name, position in STAFF:
        store.insert("staff", "staff_id", {
            "staff_id": staff_id, "staff_email": email, "staff_full_name": name,
            "staff_signature": f"{name}\n{position}\nООО «СКС»" if position else "",
            "staff_signature_chat": "", "thumbnail": "", "active": True, "status": "online", "status_id": 1,
            "created_at": stamp, "updated_at": stamp,
        })
    for field_id, title, field_type, level, data in CUSTOM_FIELDS:
        store.insert("custom_field", "field_id", {
            "field_id": field_id, "title": title, "field_type": field_type, "field_level": level, "active": True,
            "field_data": {str(k): v for k, v in data.items()} if isinstance(data, dict) else data,
        })
    for label_id, title in LABELS:
        store.insert("label", "label_id", {"label_id": label_id, "label_title": title})
    _seed_users(store, stamp)
    _seed_cases(store)
    _seed_macros(store)
    _seed_knowledge_base(store, stamp)


def _seed_users(store: Store, stamp: str) -> None:
    for user_id, name, email, phone, account, address in USERS:
        store.insert("user", "user_id", {
            "user_id": user_id, "user_full_name": name, "company_name": "", "company_position": "",
            "thumbnail": "", "user_note": "", "confirmed": True, "active": True, "deleted": False,
            "created_at": stamp, "updated_at": stamp, "last_contact_at": stamp, "type": "email",
            "user_email": email, "user_phone": phone, "language_id": 1,
            "custom_fields": {f"cf_{CF_ACCOUNT}": account, f"cf_{CF_ADDRESS}": address},
            "linked_users": [],
        })


def _seed_cases(store: Store) -> None:
    for n in range(CASE_COUNT):
        subject, topic = SUBJECTS[n % len(SUBJECTS)]
        user_id = USERS[n % len(USERS)][0]
        staff_id = STAFF[1 + n % 3][0]  # the signatory of company.yaml and the two ЦОК specialists
        status = STATUSES[n % 3]
        created = BASE_TIME + timedelta(days=n // 2, hours=n % 5, minutes=7 * n)
        updated = created + timedelta(hours=3)
        closed = created + timedelta(days=2) if status == "closed" else None
        labels = [401] + ([402] if n % 4 == 0 else [])
        case = store.insert("case", "case_id", {
            "case_id": 5000 + n, "case_number": f"664-{245651 + n:06d}", "subject": subject,
            "user_id": user_id, "staff_id": staff_id, "group_id": 101, "status": status,
            "priority": "high" if n % 7 == 0 else "normal", "channel": "web", "recipient": "",
            "cc_emails": "", "bcc_emails": "", "deleted": False, "spam": False,
            "created_at": format_date(created), "updated_at": format_date(updated),
            "closed_at": format_date(closed), "last_response_at": format_date(updated),
            "closing_speed": int((closed - created).total_seconds() // 60) if closed else "-",
            "language_id": 1, "rating": "", "rating_comment": "", "rated_staff_id": 0,
            "custom_fields": {
                f"cf_{CF_TOPIC}": topic, f"cf_{CF_CENTRE}": 1 + n % len(CENTRES), f"cf_{CF_CRITERION}": 1 + (n % 5 == 4),
            },
            "labels": labels, "locked_labels": [],
        })
        store.insert("message", "message_id", {
            "message_id": 70000 + n, "case_id": case["case_id"], "user_id": user_id, "staff_id": 0,
            "content": f"Обращение на личном приёме: {subject.lower()}.", "content_html": "",
            "attachments": [], "note": False, "sent_via_rule": False,
            "created_at": format_date(created), "sent_at": "-", "rating": "", "rating_comment": "", "rated_staff_id": 0,
        })


def _seed_macros(store: Store) -> None:
    for category_id, title, sort in MACRO_CATEGORIES:
        store.insert("macro_category", "macros_category_id", {
            "macros_category_id": category_id, "title": title, "sort": sort,
        })
    macros: list[tuple[int, int, str, str, list[dict[str, Any]]]] = [
        (196501, 11, "Ответ о перерасчёте", "", [
            _action("email_to_user", "Отправить ответ пользователю", {
                "1": "Здравствуйте!<br><br>Перерасчёт по лицевому счёту выполнен. Сумма отразится в ближайшей "
                     "квитанции.<br><br>С уважением, ООО «СКС»",
                "2": "Hello!<br><br>Your account has been recalculated.",
            }),
            _action("status", "Изменить статус на", "3"),
        ]),
        (196502, 11, "Передать в «Вопросы по оплате»", "Вопросы по оплате", [
            _action("add_note", "Добавить заметку", "",
                    content='<notify rel="g103">@Вопросы по оплате</notify> нужна сверка начислений'),
            _action("group_id", "Выставить группу", "103"),
        ]),
        (196503, 12, "Поверка прибора учёта", "", [
            _action("email_to_user", "Отправить ответ пользователю", {
                "1": "Здравствуйте!<br><br>Поверку прибора учёта можно заказать в любом ЦОК. [день недели] "
                     "специалист примет заявку.",
            }),
        ]),
        # written in Omnidesk's editor, so with its HTML: lists nested, a table, entities, <br />, <b>/<i>
        (196504, 11, "Способы оплаты без комиссии", "", [
            _action("email_to_user", "Отправить ответ пользователю", {"1": SEEDED_PAYMENT_HTML}),
        ]),
        (196505, 12, "Часы приёма ЦОК и документы", "", [
            _action("email_to_user", "Отправить ответ пользователю", {"1": SEEDED_CENTRES_HTML}),
            _action("status", "Изменить статус на", "2"),
        ]),
        (196529, 0, "Требуется помощь бухгалтерии", "ЦОК — приём граждан", [
            _action("add_note", "Добавить заметку", "",
                    content='<notify rel="g103">@Вопросы по оплате</notify> нужна помощь бухгалтерии'),
            _action("group_id", "Выставить группу", "103"),
        ]),
    ]
    for position, (macro_id, category_id, title, group_name, actions) in enumerate(macros):
        add_macro(store, {
            "macro_id": macro_id, "category_id": category_id, "scope": "common", "title": title,
            "position": position, "group_name": group_name, "actions": actions,
        })


def _action(action_type: str, display: str, destination: str | dict[str, str], content: str = "") -> dict[str, Any]:
    return {"action_type": action_type, "action_display_name": display, "action_destination": destination,
            "content": content, "subject": ""}


def add_macro_category(store: Store, title: str, sort: int = 1) -> dict[str, Any]:
    """Store a new macro category (as ``/_admin`` and the checklist's administrator create one)."""
    return store.insert("macro_category", "macros_category_id", {"title": title, "sort": sort}, start=100)


def remove_macro_category(store: Store, category_id: int) -> None:
    """Delete a macro category; as in the UI, its macros fall back to «Без категории» (category 0)."""
    for macro in store.all("macro"):
        if macro.get("category_id") == category_id:
            store.put("macro", macro["macro_id"], {**macro, "category_id": 0})
    store.delete("macro_category", category_id)


def add_custom_field(store: Store, field: dict[str, Any]) -> dict[str, Any]:
    """Store a new custom-field definition (as ``/_admin`` and the checklist's administrator create one)."""
    return store.insert("custom_field", "field_id", field, start=2000)


def add_macro(store: Store, macro: dict[str, Any]) -> dict[str, Any]:
    """Store a macro, numbering its actions as Omnidesk does (ids from a sequence, positions from 1); a macro
    without a ``position`` goes after every other."""
    if "position" not in macro:
        macro = {**macro, "position": len(store.all("macro"))}
    actions = []
    for position, action in enumerate(macro.get("actions") or [], start=1):
        actions.append({
            "macro_action_id": store.next_id("macro_action", 866600), **_action_defaults(), **action,
            "position": position,
        })
    return store.insert("macro", "macro_id", {**macro, "actions": actions}, start=197000)


def replace_macro(store: Store, macro_id: int, macro: dict[str, Any]) -> dict[str, Any]:
    """Store ``macro`` in place of the macro ``macro_id``: its actions numbered afresh, as after an edit."""
    store.delete("macro", macro_id)
    return add_macro(store, macro)


def _action_defaults() -> dict[str, Any]:
    return {"action_type": "", "action_display_name": "", "action_destination": "", "content": "", "subject": ""}


def _seed_knowledge_base(store: Store, stamp: str) -> None:
    store.insert("kb_category", "category_id", {
        "category_id": 21, "category_title": "Частые вопросы", "active": True, "created_at": stamp, "updated_at": stamp,
    })
    store.insert("kb_section", "section_id", {
        "section_id": 31, "section_title": "Оплата и начисления", "section_description": "Квитанции, перерасчёты",
        "category_id": 21, "active": True, "created_at": stamp, "updated_at": stamp,
    })
    store.insert("kb_article", "article_id", {
        "article_id": 41, "article_title": "Как передать показания счётчика",
        "article_content": "<p>Показания принимаются с 15 по 25 число месяца.</p>", "article_tags": "счётчик,показания",
        "section_id": 31, "section_id_arr": [31], "access_type": "public", "active": True,
        "created_at": stamp, "updated_at": stamp,
    })
