"""Confirmation pages of licensing answer a POST without form fields with the service's refusal, never a 500.

Found by the role walk (tests/hardening/test_access_roles.py): `EmptyForm(request.POST or None)` left the form
unbound when the body was empty (an empty QueryDict is falsy), so putting the service's error on it raised
AttributeError. A browser always sends the CSRF field, but a client sending the token as a header does not.
"""

from __future__ import annotations

import pytest
from django.test import Client

from attkit.licensing import services
from tests.licensing import world as w

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", ["start-screening", "screening-clear", "denial-notice"])
def test_empty_post_to_a_confirmation_page_is_refused_cleanly(make_user, make_authority, action):
    world = w.build(make_user, make_authority, with_euc=False)
    case = services.create_application(by=world["de.applicant"], data=w.export_application(world))
    officer = world["de.officer"]
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    response = client.post(f"/cases/{case.pk}/{action}/")
    # the draft case cannot be screened, cleared or denied: the page shows why, with the form's error summary
    assert response.status_code in (200, 400), response.status_code
    assert b"usa-error-summary" in response.content or b"error" in response.content.lower()
