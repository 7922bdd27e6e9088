from iptriad.web.access_log import _redact_request_line, redact_path


def test_it_hides_a_self_report_token_in_the_path():
    assert redact_path("/r/AbC_123-xyz/") == "/r/[token]/"
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
