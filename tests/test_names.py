"""Names by pinyin: the stored keys."""

import pytest

from servicedesk import names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("天能电池", "tiannengdianchi tndc"),
        ("天能电池（濮阳）有限公司", "tiannengdianchipuyangyouxiangongsi tndcpyyxgs"),
        ("ABC电池2号", "abcdianchi2hao abcdc2h"),  # Latin letters and digits stay as written
        ("ＡＢＣ化工", "abchuagong abchg"),  # full-width letters are letters
        ("Huaxin Chemicals", "huaxinchemicals"),
        ("绿源", "lvyuan ly"),  # ü is typed v
        ("重庆重汽", "chongqingzhongqi cqzq zhongqingzhongqi zqzq chongqingchongqi cqcq"),
        ("", ""),
    ],
)
def test_keys_are_full_pinyin_then_initials_then_other_readings(name, expected):
    assert names.keys(name) == expected


def test_a_person_s_surname_is_read_as_a_surname_first():
    assert names.keys("曾伟", person=True) == "zengwei zw cengwei cw"
    assert names.keys("曾伟").split()[:2] == ["cengwei", "cw"]


@pytest.mark.parametrize(
    ("keys", "typed", "rank"),
    [("tiannengdianchi tndc", "tndc", 0), ("tiannengdianchi tndc", "tnd", 1), ("tiannengdianchi tndc", "neng", 2)],
)
def test_rank_prefers_a_whole_key_then_a_start_then_inside(keys, typed, rank):
    assert names.rank(keys, typed) == rank
    assert names.rank(keys, "xyz") is None
