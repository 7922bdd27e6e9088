"""Writes of fidelity: ratings (record, change), the programme's forms (a new version per edit), sampling rules."""
