"""The e-mail parser on stored real-looking messages: charsets, headers, HTML, attachments, robots, bad MIME."""

import base64
import io
import tracemalloc
import zipfile
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.utils import translation

from amends.intake.channels.email.charsets import decode_bytes
from amends.intake.channels.email.errors import EmptyEmail, MalformedEmail
from amends.intake.channels.email.parser import parse_email
from amends.intake.services import Ignored

FIXTURES = Path(__file__).parent / "fixtures" / "email"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(autouse=True)
def fixed_now():
    """The samples' dates are recent then, and the notes in English."""
    with translation.override("en"), time_machine.travel(NOW, tick=False):
        yield


def mail(body: str = "Текст жалобы", **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Анна <anna@example.ru>")
    message["Subject"] = headers.pop("Subject", "Жалоба")
    message["Message-ID"] = headers.pop("Message_ID", "<m1@example.ru>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def with_attachment(data: bytes, content_type: str, filename: str, text: str = "См. вложение",
                    encoded: bytes = b"") -> bytes:
    """A multipart message built by hand: the `email` generator takes seconds on 50 MB."""
    return (
        "From: Анна <anna@example.ru>\r\nSubject: Жалоба\r\nMessage-ID: <big@example.ru>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n"
        f"--b1\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment; filename*=utf-8''{quote(filename)}\r\n\r\n"
    ).encode() + (encoded or _base64_lines(data)) + b"--b1--\r\n"


def _base64_lines(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    return b"".join(encoded[i:i + 76] + b"\r\n" for i in range(0, len(encoded), 76))


def test_utf8_quoted_printable_with_encoded_headers():
    incoming = parse_email(fixture("utf8_quoted_printable.eml"))
    assert incoming.channel == "email"
    assert (incoming.name, incoming.email) == ("Анна Петрова", "anna.petrova@example.ru")
    assert incoming.subject == "Сломался чайник, заказ № 418-2291"
    assert incoming.text.startswith("Сломался чайник, заказ № 418-2291\n\nЗдравствуйте!")
    assert "чайник «Теплоff» (заказ № 418-2291), через два дня" in incoming.text
    assert incoming.message_id == "<CAF3k9-utf8-0001@mail.example.ru>"
    assert incoming.received_at == datetime(2026, 11, 17, 6, 12, 44, tzinfo=UTC)
    assert incoming.references == [] and incoming.attachments == []


@pytest.mark.parametrize("name, sender, subject, phrase", [
    ("koi8r_8bit.eml", "Сергей Кузнецов", "Холодильник с вмятиной", "Второй раз привозят холодильник с вмятиной"),
    ("cp1251_base64.eml", "Ольга Смирнова", "Грубость кассира", "кассир отказалась принять карту и нагрубила"),
    ("cp1251_labelled_koi8r.eml", "Дмитрий Волков", "Нет шланга", "привезли без шланга и без инструкции"),
    ("cp1251_no_charset.eml", "", "Возврат денег за диван", "Прошу вернуть деньги за диван"),
])
def test_russian_charsets_decode_even_when_mislabelled_or_missing(name, sender, subject, phrase):
    incoming = parse_email(fixture(name))
    assert incoming.name == sender and incoming.subject == subject
    assert phrase in incoming.text


def test_html_only_mail_becomes_readable_text():
    text = parse_email(fixture("html_only.eml")).text
    assert "заказ № 55-0192 пришёл с разбитым экраном.\nФото прилагать не стала" in text
    assert "Телевизор LG 43\"" in text and "32 990 ₽" in text
    assert "личном кабинете (https://shop.example/orders/55-0192)" in text
    assert "tracking" not in text and "color" not in text and "<" not in text


def test_attachments_keep_decoded_names_and_bytes_and_a_refused_type_is_noted():
    incoming = parse_email(fixture("multipart_attachments.eml"))
    files = {upload.name: upload for upload in incoming.attachments}
    assert set(files) == {"IMG_20261120_101500.jpg", "Акт рекламации №12.pdf", "Претензия.docx"}
    assert files["IMG_20261120_101500.jpg"].read().startswith(b"\xff\xd8")
    assert files["Акт рекламации №12.pdf"].content_type == "application/pdf"
    assert files["Акт рекламации №12.pdf"].read().startswith(b"%PDF-1.4")
    assert "Во вложении фото брака и акт рекламации." in incoming.text
    assert "<div>" not in incoming.text  # the plain alternative, not the HTML one
    assert "“setup.exe” was not saved" in incoming.text and "not accepted" in incoming.text


def test_reply_keeps_its_references_and_its_new_part():
    incoming = parse_email(fixture("reply_in_reply_to.eml"))
    assert incoming.references == ["<CAF3k9-utf8-0001@mail.example.ru>"]
    assert incoming.reply_text == "Дополняю: чайник также сильно пахнет пластиком. Жду ответа."
    assert "> Здравствуйте!" in incoming.text  # a reply that threads nowhere keeps everything


def test_outlook_html_reply_in_windows_1251_loses_the_quoted_letter():
    incoming = parse_email(fixture("outlook_reply_cp1251_html.eml"))
    assert incoming.reply_text == "Спасибо, но деньги так и не пришли. Прошу ускорить возврат.\n\nОльга"
    assert incoming.references == ["<001a01d9c2b4$5e6f7a80$1b4c6f80$@example.org>"]


@pytest.mark.parametrize("name, reason", [
    ("auto_reply.eml", "Auto-Submitted: auto-replied"),
    ("bounce_mailer_daemon.eml", "Auto-Submitted: auto-replied"),
    ("mailing_list.eml", "Precedence: list"),
])
def test_robots_are_ignored(name, reason):
    with pytest.raises(Ignored, match=reason):
        parse_email(fixture(name))


@pytest.mark.parametrize("headers, reason", [
    ({"Precedence": "bulk"}, "Precedence: bulk"),
    ({"Precedence": "junk"}, "Precedence: junk"),
    ({"X_Autoreply": "yes"}, "x-autoreply"),
    ({"X_Autorespond": "Out of office"}, "x-autorespond"),
    ({"List_Unsubscribe": "<mailto:u@example.com>"}, "Mailing list"),
    ({"From": "Mail Delivery System <MAILER-DAEMON@mx.example.com>"}, "mailer-daemon@mx.example.com"),
    ({"From": "postmaster@example.com"}, "postmaster@example.com"),
    ({"Return_Path": "<>"}, "Empty return path"),
    ({"From": "Amends <complaints@amends.localhost>"}, "Amends itself"),
    ({"Message_ID": "<123.456@amends.localhost>"}, "Amends itself"),
])
def test_each_robot_rule(headers, reason):
    with pytest.raises(Ignored, match=reason):
        parse_email(mail(**headers).as_bytes())


def test_a_bounce_without_auto_submitted_is_caught_by_its_report_type():
    raw = fixture("bounce_mailer_daemon.eml").replace(b"Auto-Submitted: auto-replied\r\n", b"", 1)
    raw = raw.replace(b"From: MAILER-DAEMON@mx.shop.example", b"From: robot@mx.shop.example")
    raw = raw.replace(b"Return-Path: <>\r\n", b"")
    with pytest.raises(Ignored, match="multipart/report"):
        parse_email(raw)


def test_auto_submitted_no_is_a_person():
    assert parse_email(mail(Auto_Submitted="no").as_bytes()).text == "Жалоба\n\nТекст жалобы"


def test_malformed_mime_is_read_leniently():
    incoming = parse_email(fixture("malformed_mime.eml"))
    assert incoming.email == "elena@example.org" and incoming.subject == "Пылесос гуд"
    assert "Третий раз пишу: пылесос гудит и не тянет." in incoming.text
    assert incoming.received_at is None  # "Date: not a date at all": the time of arrival is used


def test_a_multipart_with_the_wrong_boundary_is_read_by_the_boundary_it_uses():
    raw = ("From: a@example.ru\r\nSubject: Жалоба\r\nContent-Type: multipart/mixed; boundary=\"declared\"\r\n\r\n"
           "--actual\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nКурьер опоздал на три дня\r\n"
           "--actual\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=check.pdf\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--actual--\r\n").encode()
    incoming = parse_email(raw)
    assert incoming.text == "Жалоба\n\nКурьер опоздал на три дня"
    assert [(f.name, f.read()) for f in incoming.attachments] == [("check.pdf", b"%PDF-1.4")]


def test_nothing_to_register_is_a_clear_parse_error():
    with pytest.raises(EmptyEmail, match="no subject, no text and no attachments"):
        parse_email(fixture("broken_no_content.eml"))
    with pytest.raises(EmptyEmail):
        parse_email(b"  \r\n ")
    with pytest.raises(MalformedEmail, match="no mail headers"):
        parse_email(b"\x00\x01\x02 random bytes, not a message")


def test_raw_8bit_headers_and_a_character_split_between_encoded_words():
    name = "Пётр".encode()
    first, second = (base64.b64encode(half).decode() for half in (name[:3], name[3:]))
    split = f"=?UTF-8?B?{first}?= =?UTF-8?B?{second}?="
    raw = (b"From: " + "Ирина".encode("cp1251") + b" <irina@example.ru>\r\n"
           b"Subject: " + split.encode() + b"\r\nMessage-ID: <x@example.ru>\r\n\r\n" + "Текст".encode("koi8-r"))
    incoming = parse_email(raw)
    assert (incoming.name, incoming.subject, incoming.text) == ("Ирина", "Пётр", "Пётр\n\nТекст")


def test_reply_to_is_where_the_answer_goes():
    incoming = parse_email(mail(From="Shop form <noreply@shop.example>", Reply_To="Олег <oleg@example.ru>").as_bytes())
    assert incoming.email == "oleg@example.ru" and incoming.name == "Олег"
    nameless = parse_email(mail(From="Shop form <noreply@shop.example>", Reply_To="oleg@example.ru").as_bytes())
    assert nameless.email == "oleg@example.ru" and nameless.name == ""  # not "Shop form"


def test_dates_in_the_future_or_far_past_are_not_trusted():
    assert parse_email(mail(Date="Mon, 23 Nov 2026 10:00:00 +0300").as_bytes()).received_at == datetime(
        2026, 11, 23, 7, 0, tzinfo=UTC)
    assert parse_email(mail(Date="Fri, 01 Jan 2027 10:00:00 +0300").as_bytes()).received_at is None
    assert parse_email(mail(Date="Thu, 01 Jan 1970 00:00:00 +0000").as_bytes()).received_at is None


def test_forwarded_message_is_kept_as_an_eml_file():
    inner = mail("Исходное письмо", Message_ID="<inner@example.ru>")
    outer = mail("Пересылаю жалобу клиента")
    outer.add_attachment(inner)
    incoming = parse_email(outer.as_bytes())
    (upload,) = incoming.attachments
    assert upload.name.endswith(".eml") and b"inner@example.ru" in upload.read()
    assert "Исходное письмо" not in incoming.text


def test_an_oversized_attachment_is_refused_without_decoding_it(settings):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    zeros = b"A" * 76 + b"\r\n"  # base64 of 57 zero bytes
    raw = with_attachment(b"", "video/mp4", "брак.mp4", "Смотрите видео", encoded=zeros * (50 * 1024 * 1024 // 57))
    tracemalloc.start()
    try:
        incoming = parse_email(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert incoming.attachments == []
    assert "“брак.mp4” (50.0 MB) was not saved: the limit is 20.0 MB" in incoming.text
    assert peak < 5 * 1024 * 1024, f"parsing a {len(raw) >> 20} MB message took {peak >> 20} MB"


def test_a_large_attachment_within_the_limit_arrives_intact(settings):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    data = bytes(range(256)) * 20000  # 5 MB
    (upload,) = parse_email(with_attachment(data, "image/png", "фото 1.png")).attachments
    assert upload.name == "фото 1.png"
    assert upload.size == len(data) and upload.read() == data


def test_a_zip_bomb_is_stored_as_it_is_and_never_opened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("layer.bin", b"\x00" * (64 * 1024 * 1024))  # 64 MB unpacked from 300 KB
    bomb = buffer.getvalue()
    raw = with_attachment(bomb, "application/zip", "docs.zip", "Архив с документами")
    tracemalloc.start()
    try:
        (upload,) = parse_email(raw).attachments
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert upload.size == len(bomb) < 1024 * 1024 and upload.read() == bomb
    assert peak < 5 * 1024 * 1024


def test_deep_mime_nesting_is_refused():
    raw = b"From: a@example.ru\r\nMessage-ID: <deep@x>\r\n"
    for level in range(60):
        raw += b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (level, level)
    raw += b"Content-Type: text/plain\r\n\r\ndeep\r\n"
    with pytest.raises(MalformedEmail, match="too deep"):
        parse_email(raw)


def test_signatures_are_dropped_silently_and_nameless_parts_get_a_name():
    message = mail("Подписанное письмо")
    message.add_attachment(b"sig", maintype="application", subtype="pkcs7-signature")
    message.add_attachment(b"\x89PNG", maintype="image", subtype="png")
    incoming = parse_email(message.as_bytes())
    assert [upload.name for upload in incoming.attachments] == ["attachment-1.png"]
    assert "not saved" not in incoming.text


def test_only_attachments_and_no_text_still_registers():
    message = EmailMessage()
    message["From"] = "a@example.ru"
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="akt.pdf")
    incoming = parse_email(message.as_bytes())
    assert incoming.text == "(No text: see the attachments.)" and len(incoming.attachments) == 1


def test_nul_bytes_and_lone_surrogates_never_reach_the_database():
    incoming = parse_email(b"From: a@example.ru\r\nSubject: a\x00b\r\n\r\nx\x00y\xff\xfe")
    assert "\x00" not in incoming.text + incoming.subject
    incoming.text.encode("utf-8")  # no surrogates


@pytest.mark.parametrize("text", [
    "Добрый день! Прошу вернуть деньги за некачественный товар.",
    "ВЕРНИТЕ ДЕНЬГИ ЗА ДИВАН",
    "Ёлка пришла сломанная, щётка не работает, съёмная часть треснула.",
])
@pytest.mark.parametrize("charset", ["utf-8", "koi8-r", "cp1251"])
@pytest.mark.parametrize("label", [None, "koi8-r", "windows-1251", "iso-8859-1", "us-ascii", "x-unknown"])
def test_decode_bytes_finds_the_real_charset(text, charset, label):
    assert decode_bytes(text.encode(charset), label) == text


def test_decode_bytes_trusts_a_correct_latin_label():
    assert decode_bytes("Grüße aus München".encode("latin-1"), "iso-8859-1") == "Grüße aus München"
