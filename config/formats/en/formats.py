# One way to write a moment, in European order with the time zone, in both languages
# (https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date): "2 December 2026",
# "2 December 2026, 14:05 CET", "2 Dec 2026", "2 Dec 2026, 14:05 CET".
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i T"
DATETIME_FORMAT = "j F Y, H:i T"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i T"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
