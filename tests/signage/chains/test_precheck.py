"""The pre-check flags what a reviewer must look at twice, from the formats as they are."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signage.chains.precheck import find_flags, id_number_valid, luhn_valid, segments

# GB 11643's own example, and the same number with each other check digit.
VALID_ID = "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        (VALID_ID, True),
        (VALID_ID.lower(), True),  # a lower-case x is the same digit
        ("110105194912310020", False),
        ("110105194912310021", False),
        ("11010519491231002", False),  # 17 digits
        ("1101051949123100XX", False),
    ],
)
def test_identity_numbers_need_their_check_digit(number, valid):
    assert id_number_valid(number) is valid


def _with_check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_every_computed_check_digit_is_valid_and_every_other_is_not(first17):
    number = _with_check_digit(first17)
    assert id_number_valid(number)
    for other in "0123456789X":
        if other != number[-1]:
            assert not id_number_valid(first17 + other)


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4111111111111111", True),  # the card networks' test number
        ("4111111111111112", False),
        ("79927398713", True),  # the Luhn check's textbook example
        ("79927398710", False),
        ("6", False),
    ],
)
def test_luhn(digits, valid):
    assert luhn_valid(digits) is valid


def kinds(body: str, words=()):
    return [(f.kind, f.text) for f in find_flags("", body, words)]


def test_a_valid_identity_number_is_flagged_and_an_invalid_one_is_not():
    assert kinds(f"身份证号{VALID_ID}。") == [("id_number", VALID_ID)]
    assert kinds("身份证号110105194912310021。") == []


def test_bank_cards_in_one_run_or_in_groups_of_four():
    assert kinds("卡号4111111111111111") == [("bank_card", "4111111111111111")]
    assert kinds("卡号 4111 1111 1111 1111 请核对") == [("bank_card", "4111 1111 1111 1111")]
    assert kinds("编号4111111111111112") == []


def test_mobile_numbers_but_not_longer_runs_or_landlines():
    assert kinds("联系电话13812345678") == [("mobile", "13812345678")]
    assert kinds("联系电话 138-1234-5678") == [("mobile", "138-1234-5678")]
    assert kinds("座机0871-63123456，编号123812345678") == []
    assert kinds("12812345678") == []  # 12x is no mobile prefix


def test_secrecy_markings_with_and_without_a_period():
    assert kinds("秘密★6个月") == [("secrecy_marking", "秘密★6个月")]
    assert kinds("机密★10年") == [("secrecy_marking", "机密★10年")]
    assert kinds("此件为绝密，内部传阅，机密文件") == [
        ("secrecy_marking", "绝密"),
        ("secrecy_marking", "内部"),
        ("secrecy_marking", "机密"),
    ]


def test_the_deployments_words_and_where_each_flag_is():
    flags = find_flags("关于某某项目的公示", "涉及某某项目的资金", ["某某项目"])
    assert [(f.field, f.start, f.end, f.kind) for f in flags] == [
        ("title", 2, 6, "word"),
        ("body", 2, 6, "word"),
    ]


def test_segments_cut_the_text_around_the_flags():
    body = f"号码{VALID_ID}，电话13812345678。"
    flags = find_flags("", body)
    pieces = segments(body, "body", flags)
    assert "".join(p.text for p in pieces) == body
    assert [(p.text, p.flag) for p in pieces if p.flag is not None] == [
        (VALID_ID, 0),
        ("13812345678", 1),
    ]


def test_mobiles_with_the_country_code_or_in_full_width_digits():
    assert kinds("电话+8613800138000") == [("mobile", "+8613800138000")]
    assert kinds("电话 8613800138000") == [("mobile", "8613800138000")]
    assert kinds("电话 +86 138-1234-5678") == [("mobile", "+86 138-1234-5678")]
    # Full-width digits, flagged as written and where written.
    body = "电话１３８１２３４５６７８。"
    flags = find_flags("", body)
    assert [(f.kind, f.text, body[f.start : f.end]) for f in flags] == [
        ("mobile", "１３８１２３４５６７８", "１３８１２３４５６７８")
    ]


def test_an_identity_number_written_in_its_three_parts():
    assert kinds("110105 19491231 002X") == [("id_number", "110105 19491231 002X")]


def test_a_listed_word_is_flagged_whole_before_the_marking_inside_it():
    assert kinds("附机密文件一份", ["机密文件"]) == [("word", "机密文件")]
    assert kinds("机密", ["机密文件"]) == [("secrecy_marking", "机密")]
