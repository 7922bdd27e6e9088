"""The formulation draft: the shape of §3.1 item 8, composed from inventory and timeline data, gaps left out."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iptriad.core.protocol import DisputeStage, ProblemAreaCode
from iptriad.core.protocol.formulation import (
    AROUND_AFTER,
    AROUND_BEFORE,
    AreaFact,
    ContractFact,
    EventKind,
    FormulationFacts,
    PersonFact,
    TimelineFact,
    events_around_onset,
    formulation_draft,
    onset,
    plain_date,
    worsenings,
)

GRIEF = ProblemAreaCode.GRIEF
DISPUTE = ProblemAreaCode.ROLE_DISPUTE
TRANSITION = ProblemAreaCode.ROLE_TRANSITION
DEFICITS = ProblemAreaCode.INTERPERSONAL_DEFICITS
PROPERTY = settings(database=None, deadline=None, max_examples=200)


def life(day: dt.date, description: str) -> TimelineFact:
    return TimelineFact(occurred_on=day, kind=EventKind.LIFE_EVENT, description=description)


def symptoms(day: dt.date, kind: EventKind = EventKind.SYMPTOM_ONSET) -> TimelineFact:
    return TimelineFact(occurred_on=day, kind=kind, description="Low mood, poor sleep")


# A bereaved client, as an inventory and a timeline would record her (the reference's own example).
BEREAVED = FormulationFacts(
    diagnosis_label="Major depressive disorder",
    timeline=(
        life(dt.date(2019, 6, 1), "Started at the bakery"),
        life(dt.date(2026, 2, 14), "Her mother died after a short illness."),
        symptoms(dt.date(2026, 4, 2)),
        life(dt.date(2026, 5, 20), "Stopped going to choir"),
    ),
    people=(
        PersonFact(name="Mum", relationship="mother", linked_area=GRIEF, focus_candidate=True),
        PersonFact(name="Dee", relationship="sister", focus_candidate=False),
    ),
    areas=(AreaFact(code=GRIEF, evidence="she has not been able to speak about her mother since the funeral"),),
    contract=ContractFact(sessions_planned=12, frequency="once a week", ends_on=dt.date(2026, 8, 27)),
)


def test_it_follows_the_shape_of_the_references_example():
    assert formulation_draft(BEREAVED) == (
        "Your major depressive disorder is an illness that can be treated. It began in April 2026. "
        "Around that time: Her mother died after a short illness (14 February 2026); "
        "Stopped going to choir (20 May 2026)."
        "\n\n"
        "This pattern is called grief. She has not been able to speak about her mother since the funeral. "
        "It involves Mum (your mother)."
        "\n\n"
        "Over the next 12 sessions, meeting once a week, until 27 August 2026, we will work on it together."
        "\n\n"
        "As it resolves, both your situation and your mood are expected to improve."
    )


def test_the_parts_come_in_the_order_of_the_reference():
    draft = formulation_draft(BEREAVED)
    markers = [
        "an illness that can be treated",
        "began in",
        "This pattern is called",
        "Over the next",
        "As it resolves",
    ]
    positions = [draft.index(marker) for marker in markers]
    assert positions == sorted(positions)


def test_nothing_recorded_gives_an_empty_draft():
    assert formulation_draft(FormulationFacts()) == ""


@pytest.mark.parametrize(
    "missing",
    [
        {"diagnosis_label": ""},
        {"timeline": ()},
        {"people": ()},
        {"areas": ()},
        {"contract": None},
    ],
)
def test_a_missing_piece_is_left_out_without_a_trace(missing):
    draft = formulation_draft(dataclasses.replace(BEREAVED, **missing))
    assert "None" not in draft
    assert ".." not in draft
    assert "  " not in draft
    assert draft.strip() == draft
    assert all(paragraph.endswith(".") for paragraph in draft.split("\n\n"))


def test_without_a_diagnosis_the_onset_is_the_symptoms():
    draft = formulation_draft(dataclasses.replace(BEREAVED, diagnosis_label=""))
    assert draft.startswith("Your symptoms began in April 2026.")
    assert "can be treated" not in draft


def test_an_abbreviated_diagnosis_keeps_its_capitals():
    draft = formulation_draft(FormulationFacts(diagnosis_label="PTSD"))
    assert draft == "Your PTSD is an illness that can be treated."


def test_without_a_problem_area_no_pattern_is_named_and_nothing_is_promised():
    draft = formulation_draft(dataclasses.replace(BEREAVED, areas=()))
    assert "pattern" not in draft
    assert "expected to improve" not in draft
    assert "we will work on this together" in draft


def test_without_a_contract_no_number_of_sessions_is_given():
    draft = formulation_draft(dataclasses.replace(BEREAVED, contract=None))
    assert "session" not in draft
    assert draft.endswith("As it resolves, both your situation and your mood are expected to improve.")


def test_the_contract_sentence_leaves_out_what_the_contract_does_not_say():
    facts = dataclasses.replace(BEREAVED, contract=ContractFact(sessions_planned=16))
    assert "Over the next 16 sessions, we will work on it together." in formulation_draft(facts)


def test_the_onset_is_the_latest_recorded_onset():
    timeline = (symptoms(dt.date(2019, 1, 5)), symptoms(dt.date(2026, 4, 2)), life(dt.date(2019, 1, 1), "Divorce"))
    assert onset(timeline) == dt.date(2026, 4, 2)
    assert events_around_onset(timeline) == ()  # the divorce belongs to the earlier episode


def test_life_events_count_from_six_months_before_to_three_months_after_the_onset():
    began = dt.date(2026, 4, 2)
    inside = (life(began - AROUND_BEFORE, "Just in"), life(began + AROUND_AFTER, "Also just in"))
    too_early = life(began - AROUND_BEFORE - dt.timedelta(days=1), "Too early")
    outside = (too_early, life(began + AROUND_AFTER + dt.timedelta(days=1), "Too late"))
    assert events_around_onset((symptoms(began), *outside, *inside)) == inside


def test_a_worsening_brings_its_own_events_and_is_named():
    timeline = (
        symptoms(dt.date(2025, 1, 10)),
        symptoms(dt.date(2026, 3, 1), EventKind.SYMPTOM_WORSENING),
        life(dt.date(2026, 2, 1), "Lost the job at the depot"),
    )
    draft = formulation_draft(FormulationFacts(diagnosis_label="Depression", timeline=timeline))
    assert worsenings(timeline) == (dt.date(2026, 3, 1),)
    assert draft == (
        "Your depression is an illness that can be treated. It began in January 2025 and got worse in March 2026. "
        "Around those times: Lost the job at the depot (1 February 2026)."
    )


def test_improvements_and_worsenings_before_the_onset_are_not_named():
    timeline = (
        symptoms(dt.date(2025, 1, 10), EventKind.SYMPTOM_WORSENING),
        symptoms(dt.date(2026, 1, 10)),
        symptoms(dt.date(2026, 3, 10), EventKind.SYMPTOM_IMPROVEMENT),
    )
    assert "worse" not in formulation_draft(FormulationFacts(timeline=timeline))


def test_two_areas_are_both_named_with_their_ipt_names_and_their_people():
    facts = FormulationFacts(
        areas=(
            AreaFact(code=TRANSITION, evidence="Low mood began after the move to the city."),
            AreaFact(code=DISPUTE, evidence="Rows with Sam about money", dispute_stage=DisputeStage.IMPASSE),
        ),
        people=(
            PersonFact(name="Sam", relationship="partner", linked_area=DISPUTE, focus_candidate=True),
            PersonFact(name="Ola", relationship="co-worker", linked_area=TRANSITION),
            PersonFact(name="Kit", relationship="", linked_area=TRANSITION),
        ),
        contract=ContractFact(sessions_planned=16, frequency="once a week"),
    )
    paragraphs = formulation_draft(facts).split("\n\n")
    assert paragraphs[0] == (
        "Two patterns are involved. The first is called life changes (in IPT, role transitions). "
        "Low mood began after the move to the city. It involves Ola (your co-worker) and Kit."
    )
    assert paragraphs[1] == (
        "The second is called disputes (in IPT, role disputes). Rows with Sam about money. "
        "It involves Sam (your partner). The dispute is at the stage IPT calls impasse: negotiation has stopped "
        "and resentment simmers; little is openly discussed."
    )
    assert paragraphs[2] == "Over the next 16 sessions, meeting once a week, we will work on them together."
    assert paragraphs[3] == "As they resolve, both your situation and your mood are expected to improve."


def test_interpersonal_deficits_are_named_by_their_lay_name_first():
    draft = formulation_draft(FormulationFacts(areas=(AreaFact(code=DEFICITS),)))
    assert draft.startswith("This pattern is called loneliness and social isolation (in IPT, interpersonal deficits).")


def test_a_dispute_stage_is_named_only_for_a_dispute():
    draft = formulation_draft(FormulationFacts(areas=(AreaFact(code=GRIEF, dispute_stage=DisputeStage.IMPASSE),)))
    assert "stage" not in draft


def test_a_focus_candidate_linked_to_no_chosen_area_is_named_once_after_the_patterns():
    people = (
        PersonFact(name="Jo", relationship="friend", focus_candidate=True),
        PersonFact(name="Ray", relationship="father", linked_area=DISPUTE, focus_candidate=True),
        PersonFact(name="Lee", relationship="brother", linked_area=DISPUTE),  # not chosen and not a candidate
    )
    draft = formulation_draft(FormulationFacts(areas=(AreaFact(code=GRIEF),), people=people))
    assert draft.count("Jo (your friend)") == 1
    assert "The people most involved are Jo (your friend) and Ray (your father)." in draft
    assert "Lee" not in draft


def test_one_focus_candidate_is_the_person_most_involved():
    people = (PersonFact(name="Jo", relationship="friend", focus_candidate=True),)
    assert formulation_draft(FormulationFacts(people=people)) == "The person most involved is Jo (your friend)."


def test_whitespace_and_trailing_full_stops_in_the_records_do_not_leak():
    facts = FormulationFacts(
        diagnosis_label="  Moderate   depressive episode. ",
        timeline=(symptoms(dt.date(2026, 1, 3)), life(dt.date(2026, 1, 1), "  New baby\n arrived.  ")),
        areas=(AreaFact(code=TRANSITION, evidence="   "),),
        people=(PersonFact(name="   ", linked_area=TRANSITION),),
    )
    assert formulation_draft(facts) == (
        "Your moderate depressive episode is an illness that can be treated. It began in January 2026. "
        "Around that time: New baby arrived (1 January 2026)."
        "\n\n"
        "This pattern is called life changes (in IPT, role transitions)."
        "\n\n"
        "As it resolves, both your situation and your mood are expected to improve."
    )


def test_a_single_session_reads_naturally():
    facts = FormulationFacts(areas=(AreaFact(code=GRIEF),), contract=ContractFact(sessions_planned=1))
    assert "Over the next session, we will work on it together." in formulation_draft(facts)


def test_dates_are_written_the_same_in_every_locale():
    assert plain_date(dt.date(2026, 3, 9)) == "9 March 2026"


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31))
# Nothing that is or becomes a capital N, so any "None" in a draft comes from the code, not from what was typed:
# the draft capitalises a sentence's first letter, so a typed "none" would read "None" (and "ŉ" turns into "N").
words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="Nnŉ"), max_size=40
)
facts_strategy = st.builds(
    FormulationFacts,
    diagnosis_label=words,
    timeline=st.lists(
        st.builds(TimelineFact, occurred_on=dates, kind=st.sampled_from(EventKind), description=words)
    ).map(tuple),
    people=st.lists(
        st.builds(
            PersonFact,
            name=words,
            relationship=words,
            linked_area=st.none() | st.sampled_from(ProblemAreaCode),
            focus_candidate=st.booleans(),
        ),
        max_size=6,
    ).map(tuple),
    areas=st.lists(st.sampled_from(ProblemAreaCode), max_size=2, unique=True).flatmap(
        lambda codes: st.tuples(
            *(
                st.builds(
                    AreaFact,
                    code=st.just(code),
                    evidence=words,
                    dispute_stage=st.none() | st.sampled_from(DisputeStage),
                )
                for code in codes
            )
        )
    ),
    contract=st.none()
    | st.builds(ContractFact, sessions_planned=st.integers(1, 56), frequency=words, ends_on=st.none() | dates),
)


@PROPERTY
@given(facts_strategy)
def test_any_records_give_a_clean_draft(facts):
    draft = formulation_draft(facts)
    assert "None" not in draft
    assert draft == draft.strip()
    for paragraph in draft.split("\n\n") if draft else []:
        assert paragraph
        assert paragraph[-1] in ".!?"


@PROPERTY
@given(facts_strategy)
def test_the_draft_names_every_chosen_area_and_is_the_same_each_time(facts):
    draft = formulation_draft(facts)
    assert draft == formulation_draft(facts)
    for area in facts.areas:
        assert f"(in IPT, {area.code.value.replace('_', ' ')}" in draft or area.code is GRIEF
