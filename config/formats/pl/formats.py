# The Polish forms of config/formats/en: "2 grudnia 2026", "2 grudnia 2026, 14:05 CET",
# "02.12.2026", "02.12.2026, 14:05 CET".
DATE_FORMAT = "j E Y"
TIME_FORMAT = "H:i T"
DATETIME_FORMAT = "j E Y, H:i T"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y, H:i T"
MONTH_DAY_FORMAT = "j E"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
