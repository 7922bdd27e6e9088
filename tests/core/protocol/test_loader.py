"""The loader refuses malformed protocol data with a message that names the file, the entry and the problem."""

from __future__ import annotations

import pytest

from iptriad.core.protocol.loader import DefinitionError, data_texts, parse_protocol


def parse_with(file: str, old: str, new: str) -> None:
    texts = data_texts()
    assert old in texts[file], f"the test's anchor is not in {file}"
    texts[file] = texts[file].replace(old, new, 1)
    parse_protocol(texts)


def parse_without_the_last(file: str, block_start: str) -> None:
    texts = data_texts()
    texts[file] = texts[file][: texts[file].index(block_start)]
    parse_protocol(texts)


def test_the_shipped_texts_parse():
    assert parse_protocol(data_texts()).version == "1.0.0"


def test_it_refuses_a_missing_file():
    texts = data_texts()
    del texts["techniques.toml"]
    with pytest.raises(DefinitionError, match=r"missing files \['techniques.toml'\]"):
        parse_protocol(texts)


def test_it_refuses_files_at_different_versions():
    with pytest.raises(DefinitionError, match="share one version"):
        parse_with("techniques.toml", 'version = "1.0.0"', 'version = "1.1.0"')


def test_it_refuses_a_malformed_version():
    with pytest.raises(DefinitionError, match=r"version 'one' must look like 1\.0\.0"):
        parse_with("phases.toml", 'version = "1.0.0"', 'version = "one"')


def test_it_refuses_invalid_toml():
    with pytest.raises(DefinitionError, match=r"^phases.toml: "):
        parse_with("phases.toml", "[[phases]]", "[[phases]")


def test_it_refuses_an_unknown_key():
    with pytest.raises(DefinitionError, match=r"phases.toml phase 1 tasks 1: unknown keys \['txt'\]"):
        parse_with("phases.toml", 'text = "Review symptoms', 'txt = "x"\ntext = "Review symptoms')


def test_it_refuses_a_fact_without_a_source():
    with pytest.raises(DefinitionError, match=r"phases\.toml phase 1 tasks 1: missing 'source'"):
        parse_with("phases.toml", 'source = "§3.1 item 1 [S3][S22a]; §1.2 [S3][S4]"\n', "")


def test_it_refuses_a_source_that_names_nothing_in_the_reference():
    with pytest.raises(DefinitionError, match="must name a section"):
        parse_with("techniques.toml", 'source = "§6 [S34]"', 'source = "a book"')


def test_it_refuses_an_empty_text():
    with pytest.raises(DefinitionError, match="'text' must be a non-empty string"):
        parse_with("problem_areas.toml", 'text = "Help mourning happen (catharsis)."', 'text = " "')


def test_it_refuses_a_missing_phase():
    with pytest.raises(DefinitionError, match=r"phases must be exactly \[.*\] in that order, found \['initial',"):
        parse_without_the_last("phases.toml", '[[phases]]\nid = "closed"')


def test_it_refuses_an_unknown_phase():
    with pytest.raises(DefinitionError, match="unknown phase 'continuation'"):
        parse_with("phases.toml", 'id = "maintenance"', 'id = "continuation"')


def test_it_refuses_a_task_of_the_closed_state():
    closed = 'source = "Design note: the terminal state of a course, with no tasks"'
    task = '\n\n[[phases.tasks]]\nid = "closed.archive"\ntext = "Archive."\nsource = "Design note"\n'
    with pytest.raises(DefinitionError, match="the closed state has no tasks"):
        parse_with("phases.toml", closed, closed + task)


def test_it_refuses_a_task_id_outside_its_phase():
    with pytest.raises(DefinitionError, match=r"'middle\.instil_hope' must start with 'initial\.'"):
        parse_with("phases.toml", 'id = "initial.instil_hope"', 'id = "middle.instil_hope"')


def test_it_refuses_a_duplicate_task_id():
    with pytest.raises(DefinitionError, match=r"duplicate task ids \['initial.timeline'\]"):
        parse_with("phases.toml", 'id = "initial.inventory"', 'id = "initial.timeline"')


def test_it_refuses_a_missing_problem_area():
    with pytest.raises(DefinitionError, match="problem areas must be exactly"):
        parse_without_the_last("problem_areas.toml", '[[problem_areas]]\ncode = "interpersonal_deficits"')


def test_it_refuses_an_unknown_problem_area():
    with pytest.raises(DefinitionError, match="unknown problem area 'anger'"):
        parse_with("problem_areas.toml", 'code = "grief"', 'code = "anger"')


def test_it_refuses_a_dispute_without_its_three_stages():
    with pytest.raises(DefinitionError, match="stages of 'role_dispute' must be exactly"):
        parse_with("problem_areas.toml", 'id = "dissolution"', 'id = "impasse"')


def test_it_refuses_a_default_contract_outside_the_adaptations_range():
    with pytest.raises(DefinitionError, match="adaptation 1: sessions minimum 17 is above its maximum 16"):
        parse_with("adaptations.toml", "default_sessions = 16", "default_sessions = 17")


def test_it_refuses_an_unknown_format():
    with pytest.raises(DefinitionError, match="format 'group' is not one of"):
        parse_with("adaptations.toml", 'format = "telephone"', 'format = "group"')


def test_it_refuses_a_session_count_that_is_not_a_positive_whole_number():
    with pytest.raises(DefinitionError, match="'sessions_min' must be a positive whole number"):
        parse_with("adaptations.toml", "sessions_min = 12", "sessions_min = 0")


def test_it_refuses_an_unknown_sick_role():
    with pytest.raises(DefinitionError, match="unknown sick role 'partial'"):
        parse_with("adaptations.toml", 'kind = "limited"', 'kind = "partial"')


def test_it_refuses_protocol_data_without_standard_ipt():
    with pytest.raises(DefinitionError, match="the 'standard' adaptation is missing"):
        parse_with("adaptations.toml", 'id = "standard"', 'id = "standard_ipt"')


def test_it_refuses_a_duplicate_technique():
    with pytest.raises(DefinitionError, match=r"duplicate technique ids \['role_play'\]"):
        parse_with("techniques.toml", 'id = "clarification"', 'id = "role_play"')


def test_it_refuses_a_first_contract_minimum_above_the_default_contract():
    with pytest.raises(DefinitionError, match="first contract minimum 7 is above its maximum 6"):
        parse_with(
            "adaptations.toml",
            'contract_min = 3\ncontract_min_source = "§2 IPC /',
            'contract_min = 7\ncontract_min_source = "§2 IPC /',
        )


def test_it_refuses_a_first_contract_minimum_without_its_source():
    with pytest.raises(DefinitionError, match="missing 'contract_min_source'"):
        parse_with("adaptations.toml", 'contract_min_source = "§2 IPC /', '# "§2 IPC /')


def test_it_refuses_a_course_that_starts_in_another_phase_than_initial_or_maintenance():
    with pytest.raises(DefinitionError, match="a course starts in one of \\['initial', 'maintenance'\\], not 'middle'"):
        parse_with("adaptations.toml", 'starting_phase = "maintenance"', 'starting_phase = "middle"')


def test_it_refuses_a_starting_phase_without_its_source():
    with pytest.raises(DefinitionError, match="missing 'starting_phase_source'"):
        parse_with("adaptations.toml", "starting_phase_source = ", "# ")
