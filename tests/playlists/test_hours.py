"""Weekly specs for opening hours and dayparts."""

from __future__ import annotations

import pytest

from playlists.hours import DayRange, WeeklySpecError, parse_weekly


@pytest.mark.parametrize(
    ("spec", "normalised"),
    [
        ("1-5 08:00-18:00,6 09:00-12:00", "1-5 08:00-18:00,6 09:00-12:00"),
        ("1-5 08:30-12:00 14:00-17:30", "1-5 08:30-12:00 14:00-17:30"),
        ("07:00-09:00, 17:00-19:30", "07:00-09:00 17:00-19:30"),
        ("22:00-02:00", "22:00-02:00"),
        ("00:00-24:00", "00:00-24:00"),
        ("1 08:00-12:00,2 08:00-12:00,3 08:00-12:00", "1-3 08:00-12:00"),
        ("6-7 10:00-24:00", "6-7 10:00-24:00"),
    ],
)
def test_parse_and_normalise(spec, normalised):
    parsed = parse_weekly(spec)
    assert parsed.to_spec() == normalised
    assert parse_weekly(parsed.to_spec()) == parsed


def test_ranges_past_midnight_belong_to_the_day_they_start():
    assert parse_weekly("5 22:00-02:00").ranges == (DayRange(5, 22 * 60, 26 * 60),)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("8 08:00-09:00", "not a time range"),
        ("1-5", "no times"),
        ("5-1 08:00-09:00", "backwards"),
        ("08:00-08:00", "empty"),
        ("25:00-26:00", "does not exist"),
        ("08:60-09:00", "does not exist"),
        ("1-5 08:00-12:00,1 11:00-13:00", "overlap"),
        ("22:00-09:00,08:00-10:00", "overlap"),
        ("7 23:00-01:00,1 00:30-02:00", "overlap"),
        ("1-5 08:00-12:00,,6 09:00-10:00", "empty entry"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec, message):
    with pytest.raises(WeeklySpecError, match=message):
        parse_weekly(spec)
