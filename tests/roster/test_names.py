"""What a name tells: places, kind, id (table-driven)."""

from __future__ import annotations

import pytest

from db.roster_names import base_id, infer_kind, split_places

CASES = [
    # name, kind, id
    ("宿迁市人民政府", "government", "suqian-rmzf"),
    ("淮安市洪泽区人民政府", "government", "huaian-hongze-rmzf"),
    ("宿迁市科学技术局", "department", "suqian-kxjsj"),
    ("淮安市城市管理局", "department", "huaian-csglj"),          # 城市 is not a place
    ("淮安市住房和城乡建设局", "department", "huaian-zfhcxjsj"),  # nor 城乡
    ("沭阳县市场监督管理局", "department", "shuyang-scjdglj"),
    ("宿迁市卫生健康委员会", "department", "suqian-wsjkwyh"),
    ("宿迁市政务服务管理办公室", "department", "suqian-zwfwglbgs"),
    ("宿迁市公共资源交易中心", "department", "suqian-ggzyjyzx"),
    ("江苏省教育厅", "department", "jiangsu-jyt"),
    ("沭阳县人民政府办公室", "department", "shuyang-rmzfbgs"),
    ("沭阳县钱集镇人民政府", "township", "shuyang-qianji-rmzf"),
    ("沭阳县沭城街道办事处", "township", "shuyang-shucheng-bsc"),
    ("泗阳县爱园镇", "township", "siyang-aiyuan"),
    ("泗洪县天岗湖乡人民政府", "township", "sihong-tianganghu-rmzf"),
    ("某某县安丰镇人民政府", "township", "moumou-anfeng-rmzf"),  # places the data does not know
    ("某某县档案局", "department", "moumou-daj"),
    ("上高县科技局", "department", "shanggao-kjj"),
]


@pytest.mark.parametrize(("name", "kind", "ident"), CASES)
def test_kind_and_id(name: str, kind: str, ident: str) -> None:
    assert infer_kind(name) == kind
    assert base_id(name) == ident


def test_places() -> None:
    assert split_places("淮安市洪泽区人民政府") == (["淮安市", "洪泽区"], "人民政府")
    assert split_places("宿迁市住房和城乡建设局") == (["宿迁市"], "住房和城乡建设局")


def test_a_name_that_says_nothing() -> None:
    assert infer_kind("宿迁市某某") is None
