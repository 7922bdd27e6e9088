"""Classic cross-site scripting payloads, pushed through every free-text field by tests/security/test_xss.py.

Each one tries a different way out of the place a value lands in a page: element text, a quoted or unquoted
attribute, a textarea, a URL, a template, or a filter that decodes entities or strips characters. None starts or
ends with whitespace (forms strip it), so a stored payload can be found again, character for character, as text.
"""

from __future__ import annotations

PAYLOADS: tuple[str, ...] = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><svg onload=alert(1)>",
    "</title><script>alert(1)</script>",
    "' onmouseover='alert(1)",
    '" onfocus="alert(1)" autofocus="',
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "{{7*7}}",
    "{% debug %}",
    "${alert(1)}",
    "<iframe srcdoc='<script>alert(1)</script>'>",
    "<a href=javascript:alert(1)>x</a>",
    "<body onload=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x:x onerror=alert`1`>",
    "<div hx-get=/logout/ hx-trigger=load hx-on::load=alert(1)>",
)
