"""Category aliases (`category alias`): more names for a category, wherever one is typed."""

import json

import pytest
from helpers import assert_user_error

# The figures are checked on both backends (conftest.py).
pytestmark = pytest.mark.both


@pytest.fixture
def park(sd):
    sd("enterprise", "add", "天能电池")
    sd("officer", "add", "王伟")
    return sd


def opened(sd, *args) -> dict:
    return json.loads(sd("--as", "王伟", "ticket", "open", "天能", *args, "--json").stdout)


def aliases(sd) -> dict[str, list[str]]:
    return {c["code"]: c["aliases"] for c in json.loads(sd("category", "list", "--json").stdout)}


def test_the_default_words_name_their_categories(park):
    assert opened(park, "流动资金贷款", "--category", "融资难")["category"] == "financing"
    visit = json.loads(park("--as", "王伟", "visit", "log", "天能", "--problem", "用工难：缺焊工", "--json").stdout)
    [ticket] = json.loads(park("ticket", "list", "--json").stdout)[:1]
    assert (visit["tickets"], ticket["category"]) == ([2], "labour")
    assert [t["id"] for t in json.loads(park("ticket", "list", "--category", "资金问题", "--json").stdout)] == [1]


def test_an_alias_added_names_the_category_everywhere(park):
    result = park("category", "alias", "financing", "融资问题", "融资难", "过桥资金", "授信")
    assert "过桥资金, 授信" in result.stdout
    assert "融资问题, 融资难" in result.stderr  # already its names: said, not added twice
    assert opened(park, "流动资金贷款", "--category", "融资难")["category"] == "financing"
    assert opened(park, "过桥资金500万", "--category", "过桥资金")["category"] == "financing"
    assert opened(park, "授信", "--category", " 授信 ")["category"] == "financing"
    assert aliases(park)["financing"][-2:] == ["过桥资金", "授信"]


def test_alias_takes_the_category_by_its_chinese_label(park):
    park("category", "alias", "用工", "技工短缺")
    assert "技工短缺" in aliases(park)["labour"]


@pytest.mark.parametrize(
    ("word", "owner"),
    [("融资难", "financing"), ("financing", "financing"), ("FINANCING", "financing"), ("融资", "financing"),
     ("Labour shortage", "labour"), ("用工", "labour")],
)  # fmt: skip
def test_a_word_that_names_another_category_is_refused_and_nothing_is_added(park, word, owner):
    code = "permits" if owner != "permits" else "land"
    before = aliases(park)
    result = park("category", "alias", code, "新词", word, ok=False)
    assert_user_error(result, f'"{word.strip()}" already names the category {owner}')
    assert aliases(park) == before


@pytest.mark.parametrize("word", ["融资:贷款", "a：b", " "])
def test_a_word_that_cannot_be_typed_after_problem_is_refused(park, word):
    assert_user_error(park("category", "alias", "financing", word, ok=False))


def test_undo_removes_an_alias_added(park):
    park("category", "alias", "financing", "授信", "过桥资金")
    assert "category financing: 授信, 过桥资金 added as other names" in park("undo", "--dry-run").stdout
    park("undo")  # the one change set: both words
    assert not {"授信", "过桥资金"} & set(aliases(park)["financing"])
    assert_user_error(park("--as", "王伟", "ticket", "open", "天能", "x", "--category", "授信", ok=False), "授信")
    assert "融资难" in aliases(park)["financing"]  # the defaults stay


def test_a_label_may_take_another_category_s_alias_and_says_so(park):
    result = park("category", "add", "credit", "--label", "Credit", "--label-zh", "贷款")
    assert 'warning: "贷款" was another name of financing; it now names credit' in result.stderr
    assert opened(park, "x", "--category", "贷款")["category"] == "credit"
    assert "贷款" not in aliases(park)["financing"]
    assert_user_error(park("category", "add", "loans", "--label", "Loans", "--label-zh", "融资", ok=False),
                      '"融资" already names the category financing')  # fmt: skip


def test_category_list_shows_the_aliases(park):
    table = park("category", "list").stdout
    assert "aliases" in table and "融资难" in table


def test_a_bad_category_lists_the_chinese_words_accepted(park):
    result = park("--as", "王伟", "ticket", "open", "天能", "x", "--category", "财务", ok=False)
    assert_user_error(result, 'unknown category "财务"', "financing (融资) or 融资问题/融资难", "用工难")


def test_a_bad_choice_lists_the_chinese_words_accepted(park):
    result = park("--as", "王伟", "visit", "log", "天能", "--channel", "微信", ok=False)
    assert result.exit_code == 2
    for word in ("onsite", "实地", "现场", "phone", "电话"):
        assert word in result.stderr
