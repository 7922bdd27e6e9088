import pytest

from iptriad.core.instruments import DefinitionError, instrument, score
from iptriad.core.instruments.local_text import with_local_text
from iptriad.core.instruments.model import ItemText

EPDS = instrument("epds")


def wording(**overrides: str) -> str:
    items = "\n".join(
        f'[items.{n}]\ntext = "Item {n} wording"\noptions = ["First", "Second", "Third", "Fourth"]'
        for n in range(1, 11)
    )
    header = {"code": '"epds"', "version": f'"{EPDS.version}"', **overrides}
    return "\n".join(f"{k} = {v}" for k, v in header.items()) + "\n" + items


def test_it_fills_in_the_wording_and_keeps_the_scoring_key():
    loaded = with_local_text(EPDS, wording(), "epds.toml")
    assert loaded.item_text == ItemText.SHIPPED
    assert loaded.item(3).text == "Item 3 wording"
    assert [o.text for o in loaded.item(3).options] == ["First", "Second", "Third", "Fourth"]
    assert [o.score for o in loaded.item(3).options] == [o.score for o in EPDS.item(3).options]  # reverse key kept
    assert score(loaded, [0] * 10).total == score(EPDS, [0] * 10).total


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (wording(code='"phq9"'), "is for 'phq9'"),
        (wording(version='"0.9"'), "checked against version 0.9"),
        (wording() + '\n[items.11]\ntext = "x"', "no item 11"),
        (wording().replace('options = ["First", "Second", "Third", "Fourth"]', 'options = ["Only"]', 1), "needs 4"),
        (wording().replace('text = "Item 5 wording"\n', "", 1), "no wording for items 5"),
        ("code = ", "epds.toml"),
    ],
)
def test_it_refuses_wording_that_does_not_fit(text, message):
    with pytest.raises(DefinitionError, match=message):
        with_local_text(EPDS, text, "epds.toml")


def wsas_wording(option_count: int) -> str:
    labels = ", ".join(f'"{n} as printed"' for n in range(option_count))
    items = "\n".join(f'[items.{n}]\ntext = "Item {n} wording"\noptions = [{labels}]' for n in range(1, 6))
    return f'code = "wsas"\nversion = "{instrument("wsas").version}"\n{items}'


def test_the_wsas_retired_choice_keeps_iptriads_label_under_the_forms_wording():
    # The form prints 0-8 for every item; item 1's 10th choice (retired) is iptriad's own and is not in the file.
    loaded = with_local_text(instrument("wsas"), wsas_wording(9), "wsas.toml")
    assert [o.text for o in loaded.item(1).options] == [f"{n} as printed" for n in range(9)] + [
        "Retired, or not working for reasons unrelated to the problem"
    ]
    assert loaded.item(1).options[9].not_applicable
    assert score(loaded, [9, 1, 1, 1, 1]).total == 4
    with pytest.raises(DefinitionError, match="item 1 needs 9 option texts, not 10"):
        with_local_text(instrument("wsas"), wsas_wording(10), "wsas.toml")
