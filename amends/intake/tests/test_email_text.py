"""Mail text helpers: HTML to text in linear time whatever the HTML, and the new part of a reply."""

import time

import pytest

from amends.intake.channels.email.text import clean_text, html_to_text, strip_quoted


def test_html_keeps_paragraphs_breaks_cells_and_link_addresses():
    html = ("<p>Первый&nbsp;абзац</p><p>строка<br>перенос</p><table><tr><td>Товар</td><td>Чайник</td></tr></table>"
            "<a href='https://shop.example/o/1'>заказ</a> <a href='mailto:x@y'>почта</a><script>no()</script>")
    assert html_to_text(html) == (
        "Первый абзац\n\nстрока\nперенос\n\nТовар Чайник\n\nзаказ (https://shop.example/o/1) почта")


def test_html_quotes_are_dropped_only_when_asked():
    html = ('<div>Новое</div><div class="gmail_quote">On Mon wrote:<blockquote>Старое</blockquote></div>'
            '<div id="appendonsend"></div><div>Outlook: цитата</div>')
    assert html_to_text(html, drop_quotes=True) == "Новое"
    assert "Старое" in html_to_text(html) and "Outlook: цитата" in html_to_text(html)


@pytest.mark.parametrize("html, expected", [
    ("<div>" * 9500 + "Текст" + "</div>" * 9500, "Текст"),  # parsed; quadratic if the tree were modified
    ("<div>" * 50000 + "Текст" + "</div>" * 50000, "Текст"),  # too many tags: stripped by expressions
    ("<b>x</b>" * 100000, "x " * 10),  # too many tags: stripped by expressions
    ("<" * 1_000_000, "<" * 10),  # a naive "<[^>]*>" is quadratic here
    ("<style>" * 100000, ""),
    ("<p>a&amp;b</p><style>x{}</style><p>c</p>" * 20000, "a&b\n\nc\n\na&b"),
])
def test_hostile_html_takes_linear_time(html, expected):
    started = time.perf_counter()
    text = html_to_text(html)
    assert time.perf_counter() - started < 8  # seconds, on a slow machine; quadratic would take far longer
    assert text.startswith(expected.strip())


@pytest.mark.parametrize("reply, new", [
    ("Спасибо!\n\nOn Mon, 3 Mar 2025 at 10:00, Shop Support <\nsupport@shop.example> wrote:\n> old text", "Спасибо!"),
    ("Жду ответа.\n\n03.03.2025, 10:00, \"Анна\" <a@example.ru>:\n> старое", "Жду ответа."),
    ("Понедельник, жду.\n\nПонедельник, 3 марта 2025, 10:00 +03:00 от Анна <a@example.ru>:\n> старое",
     "Понедельник, жду."),
    ("Ok\n\n-----Original Message-----\nFrom: Shop\nSent: Monday\nSubject: Re", "Ok"),
    ("Да.\n\n-------- Пересылаемое сообщение --------\nстарое", "Да."),
    ("Хорошо\n\nFrom: Shop <s@shop.example>\nSent: Monday, March 3, 2025 10:00\nTo: me\nSubject: Re: x\n\nold",
     "Хорошо"),
    ("Ответ между строк\n> вопрос 1\nответ 1\n> вопрос 2", "Ответ между строк\nответ 1"),
])
def test_strip_quoted_keeps_the_new_part(reply, new):
    assert strip_quoted(reply) == new


def test_words_like_a_quote_header_in_the_customer_text_are_kept():
    text = "Менеджер мне пишет:\nвсё в порядке.\nНо это не так."
    assert strip_quoted(text) == text
    assert strip_quoted("> только цитата") == "> только цитата"  # nothing new: keep it all


def test_clean_text_removes_what_a_database_refuses():
    assert clean_text("a\x00b\r\nc\ud800d\t\te\n\n\n\nf ") == "ab\ncd e\n\nf"
