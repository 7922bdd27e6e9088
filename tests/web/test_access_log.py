from iptriad.web.access_log import _redact_request_line, redact_path


def test_it_hides_a_self_report_token_in_the_path():
    assert redact_path("/r/AbC_123-xyz/") == "/r/[token]/"
    assert redact_path("/m/sPVm4Kt_wbEZtnIf/stop/") == "/m/[token]/stop/"  # a message's stop link
    assert redact_path("/clients/3/") == "/clients/3/"


def test_it_hides_the_token_and_the_query_in_the_request_line():
    assert _redact_request_line("GET /r/secret-token/?x=1 HTTP/1.1") == "GET /r/[token]/ HTTP/1.1"
    assert _redact_request_line("GET /clients/?q=Smith HTTP/1.1") == "GET /clients/ HTTP/1.1"


def test_django_request_warnings_never_carry_a_token(caplog):
    import logging

    from iptriad.web.access_log import RedactSecretPaths

    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "%s: %s", ("Not Found", "/r/abc/"), None)
    RedactSecretPaths().filter(record)
    assert record.getMessage() == "Not Found: /r/[token]/"


def test_a_line_break_in_a_path_cannot_forge_a_log_line():
    import logging

    from iptriad.web.access_log import RedactSecretPaths

    forged = "/clients/\n2026-11-26 12:00:00 INFO iptriad admin logged in\r"
    assert redact_path(forged) == "/clients/\\n2026-11-26 12:00:00 INFO iptriad admin logged in\\r"
    assert "\n" not in _redact_request_line(f"GET {forged.replace(' ', '%20')} HTTP/1.1")
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "%s: %s", ("Not Found", forged), None)
    RedactSecretPaths().filter(record)
    assert "\n" not in record.getMessage()
    assert "\r" not in record.getMessage()
