"""``{% load test_text %}``: question-bank texts with code in a code font, everything escaped.

``{{ question.body|test_text }}`` for block text (paragraphs, `inline code`, fenced blocks);
``{{ option.label|test_inline }}`` for one line. See ``assessments.online_tests.text``.
"""

from django import template

from assessments.online_tests.text import inline_text, rich_text

register = template.Library()
register.filter("test_text", rich_text, is_safe=True)
register.filter("test_inline", inline_text, is_safe=True)
