from iptriad.core.search import MAX_TERMS, fold, search_key, search_terms


def test_it_folds_case_accents_and_spacing():
    assert fold("  José   ÅSTRÖM ") == "jose astrom"
    assert fold("Straße") == "strasse"


def test_it_builds_a_search_key_from_the_non_empty_parts():
    assert search_key("A-0001", "Zoë", "", "Ng") == "a-0001 zoe ng"


def test_a_folded_query_matches_the_folded_key():
    key = search_key("DEMO-0005", "Amára", "Exampleford")
    assert all(term in key for term in search_terms("amara EXAMPLE"))


def test_it_keeps_at_most_a_handful_of_terms():
    assert len(search_terms("a b c d e f g h")) == MAX_TERMS
